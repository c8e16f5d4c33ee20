"""A JSON HTTP API with an API-key header and page-number paging, as SIMPEG APIs expose it.

Transient failures (connection errors, 429, 5xx) are retried with exponential back-off by
urllib3's ``Retry``; a refusal (401/403) or a malformed page stops the read with a clear error.
"""

from __future__ import annotations

from collections.abc import Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from satulogin.secrets import read_secret

from ..config import RestSource as RestSourceConfig
from .base import SourceError

MAX_PAGES = 100_000  # a server that never stops paging must not keep us forever


def _dig(body: object, dotted: str) -> object:
    value = body
    for part in dotted.split(".") if dotted else []:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def session_with_retries(retries: int, backoff_s: float) -> requests.Session:
    session = requests.Session()
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_s,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _header_value(key: str, env: str) -> str:
    """The API key as it can travel in an HTTP header: Latin-1, no line breaks. The key itself
    is never shown. Spaces around it are dropped (copied from a document, or ``echo`` into a file)."""
    key = key.strip()
    try:
        key.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise SourceError(
            f"kunci API di ${env} berisi karakter yang tidak bisa dikirim di header HTTP / the API key "
            f"in ${env} contains characters that cannot be sent in an HTTP header (character "
            f"{exc.start + 1}; a dash or quote pasted from a document?)"
        ) from None
    if any(c in key for c in "\r\n\0"):
        raise SourceError(
            f"kunci API di ${env} berisi baris baru / the API key in ${env} contains a line break or NUL, "
            "which cannot be sent in an HTTP header"
        )
    return key


class RestSource:
    # JSON APIs leave out null fields: an item may lack a key that other items have.
    sparse_rows = True

    def __init__(self, config: RestSourceConfig, kind: str) -> None:
        self.config = config
        self.name = f"rest:{kind}"
        self.requests_made = 0

    def rows(self) -> Iterator[tuple[int | str, dict[str, object]]]:
        cfg = self.config
        headers = {"Accept": "application/json"}
        if cfg.api_key_env:
            headers[cfg.api_key_header] = _header_value(read_secret(cfg.api_key_env) or "", cfg.api_key_env)
        number = 0
        previous: list[object] | None = None
        with session_with_retries(cfg.retries, cfg.backoff_s) as session:
            for page in range(cfg.first_page, cfg.first_page + MAX_PAGES):
                params = {cfg.page_param: page, cfg.page_size_param: cfg.page_size}
                try:
                    response = session.get(cfg.url, params=params, headers=headers, timeout=cfg.timeout_s)
                except requests.RequestException as exc:
                    raise SourceError(f"API {cfg.url} tidak bisa dihubungi / unreachable: {exc}") from None
                self.requests_made += 1
                if response.status_code in (401, 403):
                    raise SourceError(
                        f"API {cfg.url} menolak kunci API / refused the API key "
                        f"(HTTP {response.status_code}); check ${cfg.api_key_env}"
                    )
                if response.status_code != 200:
                    raise SourceError(
                        f"API {cfg.url} halaman/page {page}: HTTP {response.status_code} "
                        f"{response.text[:200]}"
                    )
                try:
                    body = response.json()
                except ValueError:
                    raise SourceError(f"API {cfg.url} halaman/page {page}: bukan JSON / not JSON") from None
                items = _dig(body, cfg.items_key) if cfg.items_key else body
                if not isinstance(items, list):
                    raise SourceError(
                        f"API {cfg.url} halaman/page {page}: '{cfg.items_key}' bukan daftar / is not a list"
                    )
                if items and items == previous:
                    # A server that ignores our page parameter answers page 1 again and again.
                    raise SourceError(
                        f"API {cfg.url} halaman/page {page} sama dengan halaman sebelumnya / repeats the "
                        f"previous page: the server seems to ignore the page parameter "
                        f"{cfg.page_param!r}; check page_param (and last_page_key) / periksa page_param"
                    )
                previous = items
                for item in items:
                    number += 1
                    if not isinstance(item, dict):
                        raise SourceError(f"API {cfg.url} item {number}: bukan objek JSON / not an object")
                    yield f"{page}:{number}", item
                last_page = _dig(body, cfg.last_page_key) if cfg.last_page_key else None
                if not items:
                    return
                if isinstance(last_page, int) and not isinstance(last_page, bool):
                    # The server's word wins: many APIs cap per_page below what we asked,
                    # and a short page then does not mean the end.
                    if page >= last_page:
                        return
                elif len(items) < cfg.page_size:
                    return
        raise SourceError(f"API {cfg.url}: lebih dari {MAX_PAGES} halaman / more than {MAX_PAGES} pages")
