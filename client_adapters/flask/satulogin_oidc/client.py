"""The relying-party side of the authorization code flow with PKCE (RFC 7636, S256 only),
refresh and RP-initiated logout. HTTP and OAuth mechanics are Authlib's ``OAuth2Session``."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from .discovery import ProviderMetadata, fetch_metadata
from .errors import LoginFlowError, ProviderError
from .jwks import JWKSCache
from .store import LoginTransaction, SessionRecord
from .validation import ALLOWED_ALGORITHMS, TokenValidator


@dataclass(frozen=True)
class ClientSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    leeway: int = 30
    jwks_min_refresh_interval: float = 5.0
    http_timeout: float = 10.0
    #: Refresh the access token this many seconds before it expires.
    refresh_margin: float = 10.0
    #: How long a started login may take (seconds) before its state is refused.
    login_timeout: float = 600.0
    algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS
    extra: dict[str, Any] = field(default_factory=dict)


class OIDCClient:
    """One confidential client at one issuer. Metadata and keys are fetched lazily and cached,
    so an app starts even while Keycloak is still booting."""

    def __init__(self, settings: ClientSettings, http: requests.Session | None = None) -> None:
        self.settings = settings
        self.http = http or requests.Session()
        self._metadata: ProviderMetadata | None = None
        self._lock = threading.Lock()
        self.jwks = JWKSCache(lambda: self.metadata.jwks_uri, self.http,
                              min_refresh_interval=settings.jwks_min_refresh_interval,
                              timeout=settings.http_timeout)
        self.validator = TokenValidator(settings.issuer, settings.client_id, self.jwks,
                                        leeway=settings.leeway, algorithms=settings.algorithms)

    @property
    def metadata(self) -> ProviderMetadata:
        if self._metadata is None:
            with self._lock:
                if self._metadata is None:
                    self._metadata = fetch_metadata(self.settings.issuer, self.http,
                                                    timeout=self.settings.http_timeout)
        return self._metadata

    def _oauth(self, redirect_uri: str | None = None) -> OAuth2Session:
        session = OAuth2Session(
            self.settings.client_id, self.settings.client_secret,
            scope=" ".join(self.settings.scopes), redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )
        session.timeout = self.settings.http_timeout
        return session

    # --- login -------------------------------------------------------------------------------
    def begin_login(self, redirect_uri: str, next_url: str = "/") -> tuple[str, LoginTransaction]:
        tx = LoginTransaction(state=generate_token(43), nonce=generate_token(43),
                              code_verifier=generate_token(64), redirect_uri=redirect_uri, next_url=next_url)
        with self._oauth(redirect_uri) as oauth:
            url, _ = oauth.create_authorization_url(
                self.metadata.authorization_endpoint, state=tx.state, nonce=tx.nonce,
                code_verifier=tx.code_verifier,
            )
        return url, tx

    def finish_login(self, tx: LoginTransaction, code: str, session_id: str) -> SessionRecord:
        """Exchange the code (with the PKCE verifier), validate the ID token (nonce included)
        and build the session record."""
        with self._oauth(tx.redirect_uri) as oauth:
            try:
                token = oauth.fetch_token(self.metadata.token_endpoint, grant_type="authorization_code",
                                          code=code, code_verifier=tx.code_verifier)
            except (OAuthError, requests.RequestException) as exc:
                raise LoginFlowError(f"Keycloak menolak kode login / Keycloak refused the login code: {exc}",
                                     code="token_exchange_failed") from exc
        if not token.get("id_token"):
            raise LoginFlowError("Keycloak tidak mengirim token ID / no ID token "
                                 "(is 'openid' in the scopes?)",
                                 code="missing_id_token")
        id_claims = self.validator.validate_id_token(token["id_token"], nonce=tx.nonce)
        return self._record(session_id, dict(token), id_claims)

    def refresh(self, record: SessionRecord) -> SessionRecord:
        """Silent refresh: new tokens from the refresh token. Raises LoginFlowError when Keycloak
        says the session is over (logged out, idle timeout, user disabled)."""
        if not record.refresh_token:
            raise LoginFlowError("sesi tidak punya refresh token / session has no refresh token",
                                 code="no_refresh_token")
        with self._oauth() as oauth:
            try:
                token = oauth.refresh_token(self.metadata.token_endpoint, refresh_token=record.refresh_token)
            except (OAuthError, requests.RequestException) as exc:
                raise LoginFlowError(f"sesi di Keycloak sudah berakhir / Keycloak session ended: {exc}",
                                     code="refresh_failed") from exc
        token = dict(token)
        if token.get("id_token"):
            # Core §12.2: a refreshed ID token has no nonce requirement but the same sub.
            id_claims = self.validator.validate_id_token(token["id_token"], nonce=None)
            if id_claims.get("sub") != record.sub:
                raise LoginFlowError("sub berubah saat refresh / sub changed on refresh", code="sub_mismatch")
        else:
            token["id_token"] = record.id_token
            id_claims = {k: v for k, v in record.claims.items()}
        new = self._record(record.session_id, token, id_claims, previous=record)
        new.refreshed_count = record.refreshed_count + 1
        new.created_at = record.created_at
        return new

    def _record(self, session_id: str, token: dict[str, Any], id_claims: dict[str, Any],
                previous: SessionRecord | None = None) -> SessionRecord:
        access_claims = self.validator.validate_session_access_token(token["access_token"])
        # Roles (realm_access/resource_access) are in the access token; profile claims in both.
        claims = {**id_claims, **access_claims}
        now = time.time()
        refresh_in = token.get("refresh_expires_in")
        return SessionRecord(
            session_id=session_id,
            sub=str(id_claims["sub"]),
            sid=id_claims.get("sid") or access_claims.get("sid") or (previous.sid if previous else None),
            id_token=token["id_token"],
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token") or (previous.refresh_token if previous else None),
            access_expires_at=float(access_claims["exp"]),
            # 0 means "no limit of its own" (offline tokens); keep the session until the access token ends.
            refresh_expires_at=now + float(refresh_in) if refresh_in else None,
            claims=claims,
        )

    def needs_refresh(self, record: SessionRecord) -> bool:
        return record.access_expires_at - self.settings.refresh_margin <= time.time()

    # --- logout ------------------------------------------------------------------------------
    def end_session_url(self, id_token_hint: str | None, post_logout_redirect_uri: str | None) -> str | None:
        """RP-Initiated Logout 1.0 §2; None when the provider has no end_session_endpoint."""
        try:
            endpoint = self.metadata.end_session_endpoint
        except ProviderError:
            return None
        if not endpoint:
            return None
        params = {"client_id": self.settings.client_id}
        if id_token_hint:
            params["id_token_hint"] = id_token_hint
        if post_logout_redirect_uri:
            params["post_logout_redirect_uri"] = post_logout_redirect_uri
        return f"{endpoint}?{urlencode(params)}"
