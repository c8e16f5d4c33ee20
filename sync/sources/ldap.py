"""Attributes from an existing directory (e-mail etc.), matched on the NIP, by paged search."""

from __future__ import annotations

from ldap3 import ALL_ATTRIBUTES, Connection, Server
from ldap3.core.exceptions import LDAPException

from satulogin.secrets import read_secret

from ..config import LdapEnrichment
from .base import SourceError


def _first(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).strip()
    return text or None


class LdapSource:
    def __init__(self, config: LdapEnrichment) -> None:
        self.config = config
        self.name = f"ldap:{config.base_dn}"
        self.entries_read = 0

    def connect(self) -> Connection:
        cfg = self.config
        password = read_secret(cfg.password_env) if cfg.password_env else None
        try:
            server = Server(cfg.url, connect_timeout=cfg.timeout_s)
        except LDAPException as exc:
            # ldap3 checks the URL here (scheme, port); load_config already refuses most.
            raise SourceError(
                f"ldap.url {cfg.url!r} tidak sah / is not a valid directory URL "
                f"(ldap://host:389 or ldaps://host:636): {type(exc).__name__} {exc}".rstrip()
            ) from None
        try:
            connection = Connection(
                server,
                user=cfg.bind_dn,
                password=password,
                receive_timeout=cfg.timeout_s,
                read_only=True,
                raise_exceptions=True,
            )
            connection.open()
            if cfg.start_tls:
                connection.start_tls()
            connection.bind()
        except LDAPException as exc:
            raise SourceError(f"direktori {cfg.url} tidak bisa dipakai / cannot bind: {exc}") from None
        return connection

    def attributes_by_nip(self) -> dict[str, dict[str, str]]:
        """``{nip: {field: value}}`` for every entry carrying an NIP. Entries with the same NIP
        keep the first value seen per attribute (the directory order is stable for a server)."""
        cfg = self.config
        wanted = sorted({cfg.nip_attribute, *cfg.attributes.values()})
        found: dict[str, dict[str, str]] = {}
        connection = self.connect()
        try:
            results = connection.extend.standard.paged_search(
                cfg.base_dn,
                cfg.filter,
                attributes=wanted or ALL_ATTRIBUTES,
                paged_size=cfg.page_size,
                generator=True,
            )
            for entry in results:
                if entry.get("type") != "searchResEntry":
                    continue
                self.entries_read += 1
                attrs = entry.get("attributes", {})
                nip = _first(attrs.get(cfg.nip_attribute))
                if nip is None:
                    continue
                values = found.setdefault(nip, {})
                for field, attribute in cfg.attributes.items():
                    value = _first(attrs.get(attribute))
                    if value is not None and field not in values:
                        values[field] = value
        except LDAPException as exc:
            raise SourceError(f"pencarian di {cfg.url} gagal / search failed: {exc}") from None
        finally:
            connection.unbind()
        return found
