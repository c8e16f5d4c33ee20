"""How a role is named in rules, in plans and in the ``satulogin_grants`` attribute.

``pegawai`` is a realm role; ``dashboard-pimpinan/pimpinan`` is role ``pimpinan`` of the
client whose clientId is ``dashboard-pimpinan``. One spelling everywhere, so the attribute on
a user can be read back without a lookup table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RoleRef:
    client: str | None  # clientId, or None for a realm role
    name: str

    @classmethod
    def parse(cls, text: str) -> RoleRef:
        text = text.strip()
        if "/" in text:
            client, name = text.split("/", 1)
            return cls(client.strip(), name.strip())
        return cls(None, text)

    @property
    def key(self) -> str:
        return self.name if self.client is None else f"{self.client}/{self.name}"

    @property
    def is_realm(self) -> bool:
        return self.client is None

    def __lt__(self, other: RoleRef) -> bool:
        # Realm roles first, then by app; None cannot be compared with a clientId.
        return (self.client or "", self.name) < (other.client or "", other.name)

    def __str__(self) -> str:
        return self.key
