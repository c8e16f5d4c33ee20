"""A thin Keycloak Admin REST client: one pooled HTTP session, retries with back-off,
paging, and a count of read and write requests (the benchmarks report it).

We talk to the REST API directly rather than through python-keycloak's ``KeycloakAdmin``
because the planners need request counts, connection pooling across threads and exact
control over which calls are writes; python-keycloak stays the baseline in ``bench/``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

from .errors import KeycloakApiError, SatuLoginError
from .secrets import read_secret

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class AdminConnection:
    """Where the Admin API is and how we log in to it.

    Either a service-account client (``client_secret`` set: client credentials, the
    production way) or the bootstrap admin user (username/password against ``admin-cli``).
    """

    server_url: str
    username: str | None = None
    password: str | None = None
    client_id: str = "admin-cli"
    client_secret: str | None = None
    auth_realm: str = "master"
    verify_tls: bool = True

    @classmethod
    def from_env(cls) -> AdminConnection:
        """``KEYCLOAK_URL``, ``KEYCLOAK_ADMIN_USER`` + ``KEYCLOAK_ADMIN_PASSWORD[_FILE]`` or
        ``KEYCLOAK_CLIENT_ID`` + ``KEYCLOAK_CLIENT_SECRET[_FILE]``. When none is set, the local
        ``main`` instance started by ``satulogin keycloak start`` is used."""
        from .keycloak_server import KeycloakServer, ServerConfig

        url = os.environ.get("KEYCLOAK_URL")
        secret = read_secret("KEYCLOAK_CLIENT_SECRET", required=False)
        if secret:
            return cls(server_url=url or "http://127.0.0.1:8080",
                       client_id=os.environ.get("KEYCLOAK_CLIENT_ID", "satulogin"), client_secret=secret)
        if url:
            return cls(server_url=url, username=os.environ.get("KEYCLOAK_ADMIN_USER", "admin"),
                       password=read_secret("KEYCLOAK_ADMIN_PASSWORD"))
        server = KeycloakServer(ServerConfig.from_env())
        return server_connection(server)


def server_connection(server: Any) -> AdminConnection:
    """The admin connection for a local :class:`KeycloakServer` instance."""
    return AdminConnection(
        server_url=server.config.base_url,
        username=server.config.admin_username,
        password=server.admin_password(),
    )


class RequestCounter:
    def __init__(self) -> None:
        self.reads = 0
        self.writes = 0
        self._lock = threading.Lock()

    def add(self, method: str) -> None:
        with self._lock:
            if method in WRITE_METHODS:
                self.writes += 1
            else:
                self.reads += 1

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self.reads, self.writes


class KeycloakAdmin:
    """Admin REST calls for one realm (``realm``) plus server-level calls."""

    def __init__(self, conn: AdminConnection, realm: str = "banten", *, retries: int = 4,
                 backoff: float = 0.5, pool_size: int = 16, timeout: float = 60.0) -> None:
        self.conn = conn
        self.realm = realm
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.counter = RequestCounter()
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.verify = conn.verify_tls
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = threading.Lock()
        self._token_source: KeycloakAdmin | None = None

    def sharing_token(self, other: KeycloakAdmin) -> KeycloakAdmin:
        """Log in through ``other`` (same connection): one login serves both. A password login
        costs Keycloak a password hash (Argon2, ~0.1 s of CPU), paid again by every client
        that logs in on its own."""
        if other.conn != self.conn:
            raise ValueError("sharing a token needs the same Keycloak connection")
        self._token_source = other
        return self

    # --- authentication ------------------------------------------------------------------
    def _fetch_token(self) -> None:
        url = f"{self.conn.server_url}/realms/{self.conn.auth_realm}/protocol/openid-connect/token"
        if self.conn.client_secret:
            data = {"grant_type": "client_credentials", "client_id": self.conn.client_id,
                    "client_secret": self.conn.client_secret}
        else:
            data = {"grant_type": "password", "client_id": self.conn.client_id,
                    "username": self.conn.username or "", "password": self.conn.password or ""}
        try:
            resp = self.session.post(url, data=data, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SatuLoginError(
                f"tidak bisa menghubungi Keycloak / cannot reach Keycloak at {self.conn.server_url}: {exc}"
            ) from exc
        if resp.status_code != 200:
            raise SatuLoginError(
                f"login admin ke Keycloak ditolak / admin login refused at {self.conn.server_url} "
                f"(HTTP {resp.status_code}): check the admin user/password or client secret"
            )
        body = resp.json()
        self._token = body["access_token"]
        # Refresh 30 s early so a long run never sends an expired token.
        self._token_expires = time.monotonic() + max(5, int(body.get("expires_in", 60)) - 30)

    def token(self) -> str:
        if self._token_source is not None:
            return self._token_source.token()
        with self._token_lock:
            if self._token is None or time.monotonic() >= self._token_expires:
                self._fetch_token()
            assert self._token is not None
            return self._token

    def _forget_token(self, refused: str) -> None:
        """Drop the token Keycloak refused, unless another thread has fetched a new one since
        (requests in flight all meet the same refusal; one new login serves them all)."""
        if self._token_source is not None:
            self._token_source._forget_token(refused)
            return
        with self._token_lock:
            if self._token == refused:
                self._token = None

    # --- raw requests ----------------------------------------------------------------------
    def url(self, path: str, *, realm_scoped: bool = True) -> str:
        if path.startswith("http"):
            return path
        if realm_scoped:
            return f"{self.conn.server_url}/admin/realms/{quote(self.realm, safe='')}{path}"
        return f"{self.conn.server_url}/admin{path}"

    def request(self, method: str, path: str, *, realm_scoped: bool = True, ok: tuple[int, ...] = (),
                read_only: bool = False, **kwargs: Any) -> requests.Response:
        """Send one request, retrying connection errors and 429/5xx with exponential back-off.

        Statuses in ``ok`` are returned to the caller instead of raised (e.g. 404, 409).
        ``read_only``: a POST that only reads (a query with a body), counted as a read."""
        url = self.url(path, realm_scoped=realm_scoped)
        kwargs.setdefault("timeout", self.timeout)
        extra_headers = kwargs.pop("headers", None) or {}
        attempt = 0
        while True:
            attempt += 1
            headers = {"Authorization": f"Bearer {self.token()}", **extra_headers}
            self.counter.add("GET" if read_only else method)
            try:
                resp = self.session.request(method, url, headers=headers, **kwargs)
            except requests.RequestException as exc:
                if attempt > self.retries:
                    raise KeycloakApiError(method, path, 0, str(exc)) from exc
                time.sleep(self.backoff * 2 ** (attempt - 1))
                continue
            if resp.status_code == 401 and attempt == 1:
                self._forget_token(headers["Authorization"].removeprefix("Bearer "))
                continue
            if resp.status_code in RETRY_STATUSES and attempt <= self.retries:
                time.sleep(self.backoff * 2 ** (attempt - 1))
                continue
            if resp.status_code >= 400 and resp.status_code not in ok:
                raise KeycloakApiError(method, path, resp.status_code, resp.text)
            return resp

    def get(self, path: str, **kwargs: Any) -> Any:
        resp = self.request("GET", path, **kwargs)
        if resp.status_code == 404:
            return None
        return resp.json() if resp.content else None

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, json=json, **kwargs)

    def paged(self, path: str, *, page_size: int = 500, params: dict[str, Any] | None = None
              ) -> Iterator[dict[str, Any]]:
        """Iterate a ``first``/``max`` paged listing (users, groups, clients, ...)."""
        first = 0
        while True:
            query = dict(params or {})
            query.update({"first": first, "max": page_size})
            page = self.get(path, params=query) or []
            yield from page
            if len(page) < page_size:
                return
            first += page_size

    @staticmethod
    def created_id(resp: requests.Response) -> str:
        """The id of an object Keycloak just created, from the ``Location`` header."""
        return resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    # --- realm-level helpers --------------------------------------------------------------------
    def realm_exists(self) -> bool:
        return self.request("GET", "", ok=(404,)).status_code == 200

    def close(self) -> None:
        self.session.close()
