"""satulogin_oidc — the framework-free OpenID Connect core of Banten Satu Login adapters.

Discovery, a JWKS cache that follows key rotation, validation of access/ID/logout tokens,
claims → :class:`SatuLoginUser`, role checks and server-side session stores. Adapters
(``flask_satulogin``) are thin layers over it."""

from __future__ import annotations

from .client import ClientSettings, OIDCClient
from .discovery import ProviderMetadata, fetch_metadata
from .errors import ConfigurationError, InvalidToken, LoginFlowError, OIDCError, ProviderError
from .jwks import JWKSCache
from .sqlite_store import SqliteSessionStore
from .store import LoginTransaction, MemorySessionStore, SessionRecord, SessionStore
from .user import AnonymousUser, RoleRef, SatuLoginUser
from .validation import ALLOWED_ALGORITHMS, BACKCHANNEL_LOGOUT_EVENT, TokenValidator

__all__ = [
    "ALLOWED_ALGORITHMS", "BACKCHANNEL_LOGOUT_EVENT", "AnonymousUser", "ClientSettings",
    "ConfigurationError", "InvalidToken", "JWKSCache", "LoginFlowError", "LoginTransaction",
    "MemorySessionStore", "OIDCClient", "OIDCError", "ProviderError", "ProviderMetadata", "RoleRef",
    "SatuLoginUser", "SessionRecord", "SessionStore", "SqliteSessionStore", "TokenValidator",
    "fetch_metadata",
]
