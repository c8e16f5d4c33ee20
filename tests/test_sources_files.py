"""Export files: CSV as Indonesian Excel writes it, and XLSX, with codes kept as text."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from sync.config import load_config
from sync.loader import load_snapshot
from sync.model import StatusPegawai
from sync.sources import SourceError
from tests.fixtures.hr_sources_rest import SMALL_JABATAN, SMALL_PEGAWAI, SMALL_UNITS


def write_csv(path: Path, rows: list[dict[str, Any]], *, delimiter: str, bom: bool) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)


def files_config(folder: Path, kind: str = "csv", extra: str = "") -> Path:
    ext = "csv" if kind == "csv" else "xlsx"
    config = folder / "sync.yaml"
    config.write_text(
        f"units: {{type: {kind}, path: unit_kerja.{ext}}}\n"
        f"jabatan: {{type: {kind}, path: jabatan.{ext}}}\n"
        f"pegawai: {{type: {kind}, path: pegawai.{ext}}}\n{extra}",
        encoding="utf-8",
    )
    return config


def test_csv_with_bom_and_semicolons_as_indonesian_excel_writes(tmp_path: Path) -> None:
    for name, rows in (("unit_kerja", SMALL_UNITS), ("jabatan", SMALL_JABATAN), ("pegawai", SMALL_PEGAWAI)):
        write_csv(tmp_path / f"{name}.csv", rows, delimiter=";", bom=True)
    assert (tmp_path / "pegawai.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    snap = load_snapshot(load_config(files_config(tmp_path)))
    assert snap.quarantine == []
    assert set(snap.pegawai) == {p["nip"] for p in SMALL_PEGAWAI}
    # The BOM did not leak into the first header, and commas inside cells stayed in the cell.
    assert snap.units["002400000000000"].nama == "Dinas Komunikasi, Informatika, Statistik dan Persandian"
    assert snap.pegawai["197203201998032001"].gelar_belakang == "S.H., M.H."
    assert snap.pegawai["196201011985031004"].status is StatusPegawai.PENSIUN
    assert snap.source_counts == {"units": 4, "jabatan": 3, "pegawai": 4}


def test_csv_with_commas_and_no_bom(tmp_path: Path) -> None:
    for name, rows in (("unit_kerja", SMALL_UNITS), ("jabatan", SMALL_JABATAN), ("pegawai", SMALL_PEGAWAI)):
        write_csv(tmp_path / f"{name}.csv", rows, delimiter=",", bom=False)
    snap = load_snapshot(load_config(files_config(tmp_path)))
    assert snap.quarantine == [] and len(snap.pegawai) == 4


def test_csv_nip_written_as_scientific_number_is_quarantined(tmp_path: Path) -> None:
    rows = [dict(p) for p in SMALL_PEGAWAI]
    rows[1]["nip"] = "1,99108E+17"  # what Excel shows (and saves) for a number-formatted NIP
    for name, data in (("unit_kerja", SMALL_UNITS), ("jabatan", SMALL_JABATAN), ("pegawai", rows)):
        write_csv(tmp_path / f"{name}.csv", data, delimiter=";", bom=True)
    snap = load_snapshot(load_config(files_config(tmp_path)))
    (q,) = snap.quarantine
    assert q.origin.source == "pegawai.csv" and q.origin.row == 3  # header is row 1
    assert "Teks" in q.reasons[0]
    assert len(snap.pegawai) == 3


def test_missing_column_is_a_clear_source_error(tmp_path: Path) -> None:
    rows = [{k: v for k, v in p.items() if k != "kode_jabatan"} for p in SMALL_PEGAWAI]
    for name, data in (("unit_kerja", SMALL_UNITS), ("jabatan", SMALL_JABATAN), ("pegawai", rows)):
        write_csv(tmp_path / f"{name}.csv", data, delimiter=";", bom=False)
    with pytest.raises(SourceError, match="kode_jabatan"):
        load_snapshot(load_config(files_config(tmp_path)))


def write_xlsx(path: Path, rows: list[dict[str, Any]], number_nip_row: int | None = None) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(rows[0]))
    for i, row in enumerate(rows):
        values = list(row.values())
        if i == number_nip_row:
            values[0] = float(values[0])  # a NIP cell Excel turned into a number
        sheet.append(values)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.number_format = "@"  # Text, as a careful HR clerk formats it
    book.save(path)


def test_xlsx_float_nip_cell_is_quarantined_and_the_rest_goes_on(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "unit_kerja.xlsx", SMALL_UNITS)
    write_xlsx(tmp_path / "jabatan.xlsx", SMALL_JABATAN)
    write_xlsx(tmp_path / "pegawai.xlsx", SMALL_PEGAWAI, number_nip_row=2)
    snap = load_snapshot(load_config(files_config(tmp_path, "xlsx")))
    (q,) = snap.quarantine
    assert q.kind == "pegawai" and q.origin.source == "pegawai.xlsx" and q.origin.row == 4
    assert "NIP dibaca sebagai angka" in q.reasons[0]
    assert set(snap.pegawai) == {p["nip"] for i, p in enumerate(SMALL_PEGAWAI) if i != 2}
    assert snap.units["000101010000000"].parent_kode == "000101000000000"


def test_xlsx_missing_sheet_names_the_sheets(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "unit_kerja.xlsx", SMALL_UNITS)
    write_xlsx(tmp_path / "jabatan.xlsx", SMALL_JABATAN)
    write_xlsx(tmp_path / "pegawai.xlsx", SMALL_PEGAWAI)
    config = tmp_path / "sync.yaml"
    config.write_text(
        "units: {type: xlsx, path: unit_kerja.xlsx, sheet: Unit}\n"
        "jabatan: {type: xlsx, path: jabatan.xlsx}\npegawai: {type: xlsx, path: pegawai.xlsx}\n"
    )
    with pytest.raises(SourceError, match="Unit.*Sheet"):
        load_snapshot(load_config(config))


def test_csv_not_in_utf8_asks_for_csv_utf8(tmp_path: Path) -> None:
    for name, rows in (("unit_kerja", SMALL_UNITS), ("jabatan", SMALL_JABATAN)):
        write_csv(tmp_path / f"{name}.csv", rows, delimiter=";", bom=False)
    # Excel's plain "CSV" on Windows writes the ANSI code page: é is one byte, not UTF-8.
    (tmp_path / "pegawai.csv").write_bytes("nip;nama\n198001012005011001;Andr\u00e9\n".encode("cp1252"))
    with pytest.raises(SourceError, match="CSV UTF-8"):
        load_snapshot(load_config(files_config(tmp_path)))
