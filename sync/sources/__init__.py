"""HR sources: SQL, export files (CSV/XLSX), REST, and LDAP enrichment."""

from __future__ import annotations

from ..config import CsvSource as CsvConfig
from ..config import RestSource as RestConfig
from ..config import SqlSource as SqlConfig
from ..config import XlsxSource as XlsxConfig
from .base import Source, SourceError


def open_source(config: SqlConfig | CsvConfig | XlsxConfig | RestConfig, kind: str) -> Source:
    """The reader for one configured source; imports only what that kind needs."""
    if isinstance(config, SqlConfig):
        from .sql import SqlSource

        return SqlSource(config, kind)
    if isinstance(config, CsvConfig):
        from .files import CsvSource

        return CsvSource(config, kind)
    if isinstance(config, XlsxConfig):
        from .files import XlsxSource

        return XlsxSource(config, kind)
    from .rest import RestSource

    return RestSource(config, kind)


__all__ = ["Source", "SourceError", "open_source"]
