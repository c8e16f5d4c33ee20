"""Apps in Keycloak: register, list, rotate a secret, service accounts (Admin REST API).

realm/ (realm as code) had not committed its client schema when this was written, so the
onboarding talks to the Admin API directly; the client it makes carries
``satulogin.managed = onboarding`` so realm/ and people can tell it apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..errors import ConfigError, SatuLoginError
from ..kc_admin import KeycloakAdmin
from .client_repr import ADAPTER_ATTR, MANAGED_ATTR, app_client, service_account_client
from .request import CLIENT_ID_RE, AppRequest

PEGAWAI_SCOPE = "pegawai"


class AppExistsError(SatuLoginError):
    exit_code = 2
    code = "app_exists"


class AppNotFoundError(SatuLoginError):
    exit_code = 2
    code = "app_not_found"


@dataclass
class AppPlan:
    """What ``register`` will do, readable by a person (``lines``) and a machine (``to_dict``)."""

    client_id: str
    client: dict[str, Any]
    roles: list[str]
    default_scopes: list[str] = field(default_factory=list)
    config_file: str | None = None

    def lines(self) -> list[str]:
        attrs = self.client["attributes"]
        out = [
            f"+ client {self.client_id} ({self.client['name']}): confidential, standard flow only, "
            f"PKCE {attrs['pkce.code.challenge.method']}",
            *(f"    redirect URI {u}" for u in self.client["redirectUris"]),
            *(f"    post-logout URI {u}" for u in attrs["post.logout.redirect.uris"].split("##") if u),
        ]
        if attrs.get("backchannel.logout.url"):
            out.append(f"    back-channel logout {attrs['backchannel.logout.url']} (session required)")
        out += [f"+ client role {self.client_id}:{r}" for r in self.roles]
        out += [f"+ default client scope {s}" for s in self.default_scopes]
        if self.config_file:
            out.append(f"+ config file {self.config_file} (mode 0600, {attrs[ADAPTER_ATTR]} adapter)")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "client": self.client, "roles": self.roles,
                "default_scopes": self.default_scopes, "config_file": self.config_file}


class AppRegistry:
    def __init__(self, admin: KeycloakAdmin) -> None:
        self.admin = admin

    # --- lookups -------------------------------------------------------------------------
    def find_client(self, client_id: str) -> dict[str, Any] | None:
        found = self.admin.get("/clients", params={"clientId": client_id}) or []
        exact = [c for c in found if c.get("clientId") == client_id]
        return exact[0] if exact else None

    def require_client(self, client_id: str) -> dict[str, Any]:
        client = self.find_client(client_id)
        if client is None:
            raise AppNotFoundError(f"aplikasi {client_id!r} tidak ada di realm {self.admin.realm} "
                                   f"/ app not found")
        return client

    def _scope_id(self, name: str) -> str | None:
        for scope in self.admin.get("/client-scopes") or []:
            if scope.get("name") == name:
                return str(scope["id"])
        return None

    # --- register ------------------------------------------------------------------------
    def plan(self, req: AppRequest, config_file: str | None = None) -> AppPlan:
        """Validate and check for a duplicate; nothing is written."""
        req.validate()
        if not self.admin.realm_exists():
            raise SatuLoginError(f"realm {self.admin.realm!r} tidak ada / does not exist")
        if self.find_client(req.client_id) is not None:
            raise AppExistsError(
                f"aplikasi {req.client_id!r} sudah terdaftar di realm {self.admin.realm} / already "
                "registered: use 'satulogin app rotate-secret' or choose another client id"
            )
        scopes = [PEGAWAI_SCOPE] if self._scope_id(PEGAWAI_SCOPE) else []
        return AppPlan(req.client_id, app_client(req), list(req.roles), scopes, config_file)

    def apply(self, plan: AppPlan) -> str:
        """Create the client, its roles and default scopes; return the client secret."""
        resp = self.admin.post("/clients", json=plan.client, ok=(409,))
        if resp.status_code == 409:
            raise AppExistsError(f"aplikasi {plan.client_id!r} sudah terdaftar / already registered")
        uuid = self.admin.created_id(resp)
        for role in plan.roles:
            self.admin.post(f"/clients/{uuid}/roles", json={
                "name": role, "attributes": {MANAGED_ATTR: ["onboarding"]}})
        for scope in plan.default_scopes:
            scope_id = self._scope_id(scope)
            if scope_id:
                self.admin.put(f"/clients/{uuid}/default-client-scopes/{scope_id}")
        return self.client_secret(uuid)

    def client_secret(self, uuid: str) -> str:
        body = self.admin.get(f"/clients/{uuid}/client-secret") or {}
        return str(body["value"])

    # --- list / rotate -------------------------------------------------------------------------
    def list_apps(self) -> list[dict[str, Any]]:
        apps = []
        for client in self.admin.paged("/clients", page_size=200):
            attrs = client.get("attributes") or {}
            if MANAGED_ATTR not in attrs:
                continue
            apps.append({
                "client_id": client["clientId"],
                "name": client.get("name") or "",
                "adapter": attrs.get(ADAPTER_ATTR, ""),
                "managed_by": attrs[MANAGED_ATTR],
                "enabled": bool(client.get("enabled")),
                "redirect_uris": client.get("redirectUris") or [],
                "service_account": bool(client.get("serviceAccountsEnabled")),
            })
        return sorted(apps, key=lambda a: a["client_id"])

    def rotate_secret(self, client_id: str) -> tuple[str, str]:
        """Regenerate the secret; return (old, new) so the caller can rewrite the config file."""
        uuid = self.require_client(client_id)["id"]
        old = self.client_secret(uuid)
        body = self.admin.post(f"/clients/{uuid}/client-secret").json()
        return old, str(body["value"])

    # --- service accounts ------------------------------------------------------------------------
    def create_service_account(self, client_id: str, name: str, roles: list[str]) -> str:
        """A client-credentials client whose service account holds ``roles``.

        ``app:role`` is a client role of app ``app``; a bare ``role`` is a realm role.
        All roles are looked up before anything is created, so a typo creates nothing."""
        problems = []
        if not CLIENT_ID_RE.match(client_id):
            problems.append(f"client-id {client_id!r} tidak valid / invalid")
        if self.find_client(client_id) is not None:
            raise AppExistsError(f"aplikasi {client_id!r} sudah terdaftar / already registered")
        resolved: list[tuple[str | None, dict[str, Any]]] = []
        for spec in roles:
            app, _, role = spec.rpartition(":")
            if app:
                target = self.find_client(app)
                rep = (self.admin.get(f"/clients/{target['id']}/roles/{quote(role, safe='')}", ok=(404,))
                       if target else None)
                if rep is None:
                    problems.append(f"--role {spec!r}: peran klien tidak ada / no such client role")
                    continue
                resolved.append((str(target["id"]) if target else None, rep))
            else:
                rep = self.admin.get(f"/roles/{quote(role, safe='')}", ok=(404,))
                if rep is None:
                    problems.append(f"--role {spec!r}: peran realm tidak ada / no such realm role")
                    continue
                resolved.append((None, rep))
        if problems:
            raise ConfigError(f"service account {client_id!r}", problems)
        created = self.admin.post("/clients", json=service_account_client(client_id, name))
        uuid = self.admin.created_id(created)
        user = self.admin.get(f"/clients/{uuid}/service-account-user")
        for target_uuid, rep in resolved:
            if target_uuid:
                self.admin.post(f"/users/{user['id']}/role-mappings/clients/{target_uuid}", json=[rep])
            else:
                self.admin.post(f"/users/{user['id']}/role-mappings/realm", json=[rep])
        return self.client_secret(uuid)
