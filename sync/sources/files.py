"""Export files: CSV as Indonesian Excel writes it, and XLSX.

Indonesian-locale Excel saves "CSV" with ``;`` (the comma is the decimal separator) and often
with a UTF-8 BOM; other tools write ``,``. Cells are kept as the file has them: CSV gives text,
XLSX gives numbers for numeric cells, and validation refuses a NIP or kunker that arrives as a
number (Excel keeps 15 significant digits, so an 18-digit NIP stored as a number is already lost).
"""

from __future__ import annotations

import csv
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..config import CsvSource as CsvSourceConfig
from ..config import XlsxSource as XlsxSourceConfig
from .base import SourceError


def _header(cells: list[object], where: str) -> list[str]:
    names = [str(c).strip() if c is not None else "" for c in cells]
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise SourceError(f"{where}: kolom {name!r} muncul dua kali / column {name!r} appears twice")
        seen.add(name)
    return names


def sniff_delimiter(sample: str) -> str:
    """The header line decides: column names hold no ``;`` or ``,`` while the data does
    (``S.H., M.H.``), which can fool ``csv.Sniffer``. It is only asked on a tie."""
    first_line = sample.splitlines()[0] if sample else ""
    counts = {d: first_line.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] and list(counts.values()).count(counts[best]) == 1:
        return best
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        return ","


class CsvSource:
    def __init__(self, config: CsvSourceConfig, kind: str) -> None:
        self.config = config
        self.path = Path(config.path)
        self.name = self.path.name

    def rows(self) -> Iterator[tuple[int | str, dict[str, object]]]:
        try:
            handle = self.path.open(encoding=self.config.encoding, newline="")
        except OSError as exc:
            raise SourceError(f"berkas tidak bisa dibuka / cannot open {self.path}: {exc.strerror}") from None
        except LookupError:
            raise SourceError(
                f"{self.path}: encoding {self.config.encoding!r} tidak dikenal / is not a known text encoding"
            ) from None
        with handle:
            try:
                sample = handle.read(64 * 1024)
            except UnicodeDecodeError:
                raise SourceError(
                    f"{self.path}: bukan UTF-8; simpan sebagai 'CSV UTF-8' / not UTF-8, save as 'CSV UTF-8'"
                ) from None
            handle.seek(0)
            delimiter = self.config.delimiter or sniff_delimiter(sample)
            reader = csv.reader(handle, delimiter=delimiter)
            try:
                header = _header(list(next(reader, [])), str(self.path))
                # Row numbers as a spreadsheet shows them: the header is row 1.
                for number, cells in enumerate(reader, start=2):
                    if not any(c.strip() for c in cells):
                        continue
                    yield (
                        number,
                        {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name},
                    )
            except UnicodeDecodeError:
                raise SourceError(f"{self.path}: bukan UTF-8 / not UTF-8") from None
            except csv.Error as exc:
                where = f"{self.path} baris/line {reader.line_num}"
                raise SourceError(f"{where}: CSV rusak / broken CSV: {exc}") from None


class XlsxSource:
    def __init__(self, config: XlsxSourceConfig, kind: str) -> None:
        self.config = config
        self.path = Path(config.path)
        self.name = self.path.name

    def rows(self) -> Iterator[tuple[int | str, dict[str, object]]]:
        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except (OSError, InvalidFileException, KeyError, ValueError) as exc:
            raise SourceError(f"berkas XLSX tidak bisa dibuka / cannot open {self.path}: {exc}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError):
            # A CSV or text file renamed .xlsx, or a download cut short: an XLSX is a zip archive.
            raise SourceError(
                f"berkas XLSX tidak bisa dibuka / cannot open {self.path}: bukan berkas XLSX yang utuh / "
                "not a complete XLSX file (renamed CSV or text file, or a cut-off download?)"
            ) from None
        try:
            if self.config.sheet is None:
                sheet = workbook.worksheets[0]
            elif self.config.sheet in workbook.sheetnames:
                sheet = workbook[self.config.sheet]
            else:
                raise SourceError(
                    f"{self.path}: lembar {self.config.sheet!r} tidak ada / no such sheet; "
                    f"sheets: {', '.join(workbook.sheetnames)}"
                )
            header: list[str] | None = None
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number < self.config.header_row:
                    continue
                if header is None:
                    header = _header(list(cells), f"{self.path} [{sheet.title}]")
                    continue
                if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                    continue
                yield (
                    number,
                    {
                        name: ("" if cells[i] is None else cells[i]) if i < len(cells) else ""
                        for i, name in enumerate(header)
                        if name
                    },
                )
        except (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError) as exc:
            # The sheets are read lazily: damage inside the archive shows only now.
            raise SourceError(
                f"berkas XLSX rusak / damaged XLSX file {self.path}: {type(exc).__name__}: {exc}"
            ) from None
        finally:
            workbook.close()
