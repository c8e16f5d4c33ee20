"""What every HR source gives the loader: rows as ``{source column: value}``, each with the
row number or key an operator can find again in the source."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from satulogin.errors import SatuLoginError


class SourceError(SatuLoginError):
    """An HR source could not be read (unreachable, refused, malformed)."""

    code = "hr_source"


class Source(Protocol):
    name: str  # shown in quarantine entries and the run log, e.g. "sql:pegawai"

    def rows(self) -> Iterator[tuple[int | str, dict[str, object]]]:
        """Yield ``(row number or key, {column: value})``; values as the source typed them."""
        ...
