"""Server-side storage of sessions (tokens never go into a cookie: Keycloak's tokens overflow
4 KB) and of login transactions (state, nonce, PKCE verifier — each usable once).

Sessions are indexed by Keycloak's ``sid`` and by ``sub`` so a back-channel logout can end them."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SessionRecord:
    session_id: str
    sub: str
    sid: str | None
    id_token: str
    access_token: str
    refresh_token: str | None
    access_expires_at: float
    refresh_expires_at: float | None
    claims: dict[str, Any]
    created_at: float = field(default_factory=time.time)
    refreshed_count: int = 0

    def expires_at(self) -> float:
        """When the session is useless: the refresh token's end, else the access token's."""
        return self.refresh_expires_at or self.access_expires_at

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionRecord:
        return cls(**data)


@dataclass
class LoginTransaction:
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_url: str
    created_at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoginTransaction:
        return cls(**data)


class SessionStore(ABC):
    """What an adapter needs from a store. Implementations must be safe across threads; the
    SQLite one also across processes (several gunicorn workers)."""

    @abstractmethod
    def save(self, record: SessionRecord) -> None: ...

    @abstractmethod
    def get(self, session_id: str) -> SessionRecord | None:
        """The live record, or None when unknown or expired."""

    @abstractmethod
    def delete(self, session_id: str) -> None: ...

    @abstractmethod
    def delete_by_sid(self, sid: str) -> int:
        """End every session of Keycloak session ``sid``; return how many ended."""

    @abstractmethod
    def delete_by_sub(self, sub: str) -> int:
        """End every session of user ``sub``; return how many ended."""

    @abstractmethod
    def put_transaction(self, tx: LoginTransaction) -> None: ...

    @abstractmethod
    def take_transaction(self, state: str, max_age: float) -> LoginTransaction | None:
        """Remove and return the transaction for ``state``: a second call returns None,
        which is what refuses a replayed ``state``."""


class MemorySessionStore(SessionStore):
    """For one process (development, tests). Sessions vanish on restart."""

    def __init__(self) -> None:
        self._sessions: dict[str, SessionRecord] = {}
        self._transactions: dict[str, LoginTransaction] = {}
        self._lock = threading.Lock()

    def save(self, record: SessionRecord) -> None:
        with self._lock:
            self._sessions[record.session_id] = SessionRecord.from_dict(record.to_dict())

    def get(self, session_id: str) -> SessionRecord | None:
        with self._lock:
            record = self._sessions.get(session_id)
            if record is None:
                return None
            if record.expires_at() < time.time():
                del self._sessions[session_id]
                return None
            return SessionRecord.from_dict(record.to_dict())

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def _delete_where(self, attr: str, value: str) -> int:
        with self._lock:
            doomed = [k for k, r in self._sessions.items() if getattr(r, attr) == value]
            for key in doomed:
                del self._sessions[key]
            return len(doomed)

    def delete_by_sid(self, sid: str) -> int:
        return self._delete_where("sid", sid)

    def delete_by_sub(self, sub: str) -> int:
        return self._delete_where("sub", sub)

    def put_transaction(self, tx: LoginTransaction) -> None:
        with self._lock:
            now = time.time()
            # Abandoned logins pile up otherwise; an hour is far beyond any real login.
            for state in [s for s, t in self._transactions.items() if now - t.created_at > 3600]:
                del self._transactions[state]
            self._transactions[tx.state] = tx

    def take_transaction(self, state: str, max_age: float) -> LoginTransaction | None:
        with self._lock:
            tx = self._transactions.pop(state, None)
        if tx is None or time.time() - tx.created_at > max_age:
            return None
        return tx

    def __len__(self) -> int:
        return len(self._sessions)
