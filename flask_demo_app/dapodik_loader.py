"""Turn a Dapodik table into the dashboard's JSON data file.

The province waited years for Dapodik's API; meanwhile it transcribed the tables on the
Dapodik site into files. This loader takes either form and writes ``data/dapodik-<tabel>.json``:

* a CSV transcription (``data/transkripsi/dapodik-<tabel>-<YYYY-MM-DD>.csv``): ``#`` comment
  lines, then a header ``no,wilayah,jumlah,<a>,<b>,sd,sd_<a>,sd_<b>,smp,...,slb_<b>`` where
  ``<a>,<b>`` are ``n,s`` (negeri/swasta, schools) or ``l,p`` (laki-laki/perempuan). Numbers
  may use the Indonesian thousands dot (``1.725``);
* the Dapodik site's JSON export (the ``rekap`` endpoints behind its tables): a list of
  per-wilayah objects (or ``{"data": [...]}``) with ``nama`` and ``<jenjang>_<a>`` counts.

Every row is checked (each ``jumlah`` equals its two groups, the total equals the sum of the
jenjang); all problems are reported at once, naming the row and the field.

    python -m flask_demo_app.dapodik_loader                      # every transcription in data/
    python -m flask_demo_app.dapodik_loader FILE --tabel guru --tanggal 2018-02-05
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

from satulogin.errors import ConfigError, SatuLoginError

from .dapodik import DATA_DIR, JENJANG, TABLES, table_path

TRANSCRIPTION_DIR = DATA_DIR / "transkripsi"
FILE_RE = re.compile(r"dapodik-(?P<tabel>[a-z_]+)-(?P<tanggal>\d{4}-\d{2}-\d{2})\.(csv|json)$")
NUMBER_RE = re.compile(r"^\d{1,3}(\.\d{3})*$|^\d+$")
KETERANGAN = {
    "id": "Angka ditranskripsi dari tabel dokumen konsep 'Desain dan Perancangan Integrasi Aplikasi' "
          "(bagian Dapodik), yang menyalin situs Dapodik pada 2018-02-05. Label jenjang (SD, SMP, SMA, "
          "SMK, SLB) disimpulkan dari tata letak situs Dapodik dan dicek dengan penjumlahan; "
          "tidak ada angka ilustratif. Angka peserta didik jauh di bawah jumlah murid Banten "
          "sebenarnya: itulah yang tampil di situs pada tanggal itu, jangan dikutip sebagai total provinsi.",
    "en": "Figures transcribed from the concept document's tables (Dapodik section), which copied "
          "the Dapodik site on 2018-02-05. The jenjang labels (SD, SMP, SMA, SMK, SLB) are inferred "
          "from the Dapodik site's layout and checked by the sums; no figure is illustrative. The "
          "pupil counts are far below Banten's real enrolment: that is what the site showed that "
          "day; do not quote them as the province's total.",
}


def parse_count(text: str, where: str, problems: list[str]) -> int:
    """``1.725`` or ``1725`` -> 1725. ``4.8`` is refused: it is either 4.800 with its zeros
    lost (as in the concept document's markdown) or a typo, and we do not guess."""
    value = text.strip().replace(" ", "")
    if not NUMBER_RE.match(value):
        problems.append(f"{where}: '{text}' bukan bilangan bulat / is not a whole number "
                        "(pakai titik ribuan lengkap, mis. 4.800 / use full thousands, e.g. 4.800)")
        return 0
    return int(value.replace(".", ""))


def _groups_of(tabel: str, where: str) -> tuple[str, str]:
    if tabel not in TABLES:
        raise ConfigError(where, [f"tabel '{tabel}' tidak dikenal / unknown table; "
                                  f"pilih / choose: {', '.join(TABLES)}"])
    return TABLES[tabel]


def rows_from_csv(text: str, tabel: str, source: str) -> tuple[list[dict[str, Any]], list[str]]:
    a, b = _groups_of(tabel, source)
    all_lines = text.lstrip("\ufeff").splitlines()
    lines = [line for line in all_lines if not line.startswith("#")]
    # Row numbers in messages are the file's own line numbers (comment lines included).
    first_row = next((i for i, line in enumerate(all_lines) if not line.startswith("#")), 0) + 2
    delimiter = ";" if lines and lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    problems: list[str] = []
    wanted = ["wilayah", "jumlah", a, b] + [f"{j}{s}" for j in JENJANG for s in ("", f"_{a}", f"_{b}")]
    missing = [c for c in wanted if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(source, [f"kolom hilang / missing columns: {', '.join(missing)}"])
    rows = []
    for line_no, raw in enumerate(reader, start=first_row):
        where = f"{source} baris/row {line_no} ({raw.get('wilayah', '').strip()})"
        nama = raw["wilayah"].strip()
        if not nama:
            problems.append(f"{where}: wilayah kosong / empty wilayah")
            continue
        if nama.lower().startswith("total"):
            continue  # the table's own total row is recomputed, not trusted
        counts = {j: {g: parse_count(raw[f"{j}_{g}"], f"{where} kolom/column {j}_{g}", problems)
                      for g in (a, b)} for j in JENJANG}
        stated = {key: parse_count(raw[key], f"{where} kolom/column {key}", problems)
                  for key in ["jumlah", a, b, *JENJANG]}
        check_row(where, counts, stated, (a, b), problems)
        rows.append({"nama": nama, "jenjang": counts})
    return rows, problems


def check_row(where: str, counts: dict[str, dict[str, int]], stated: dict[str, int],
              groups: tuple[str, str], problems: list[str]) -> None:
    for j in JENJANG:
        if j in stated and stated[j] != sum(counts[j].values()):
            problems.append(f"{where}: {j}={stated[j]} tetapi / but {j}_{groups[0]}+{j}_{groups[1]}="
                            f"{sum(counts[j].values())}")
    for g in groups:
        if g in stated and stated[g] != sum(counts[j][g] for j in JENJANG):
            problems.append(f"{where}: {g}={stated[g]} tetapi jumlah jenjang / but the jenjang sum to "
                            f"{sum(counts[j][g] for j in JENJANG)}")
    if "jumlah" in stated and stated["jumlah"] != sum(sum(c.values()) for c in counts.values()):
        problems.append(f"{where}: jumlah={stated['jumlah']} tidak sama dengan rinciannya / "
                        "does not equal its parts")


def rows_from_dapodik_json(doc: Any, tabel: str, source: str) -> tuple[list[dict[str, Any]], list[str]]:
    a, b = _groups_of(tabel, source)
    records = doc.get("data", doc.get("rows")) if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        raise ConfigError(source, ["bukan daftar wilayah / not a list of wilayah objects "
                                   "(expected [...] or {\"data\": [...]})"])
    rows, problems = [], []
    for index, rec in enumerate(records, start=1):
        where = f"{source} record {index}"
        if not isinstance(rec, dict) or not str(rec.get("nama", "")).strip():
            problems.append(f"{where}: tanpa 'nama' / without 'nama'")
            continue
        nama = str(rec["nama"]).strip()
        counts: dict[str, dict[str, int]] = {}
        for j in JENJANG:
            counts[j] = {}
            for g in (a, b):
                value = rec.get(f"{j}_{g}", 0)
                if isinstance(value, str):
                    value = parse_count(value, f"{where} ({nama}) {j}_{g}", problems)
                if not isinstance(value, int) or value < 0:
                    problems.append(f"{where} ({nama}) {j}_{g}: '{value}' bukan bilangan / not a count")
                    value = 0
                counts[j][g] = value
        stated = {j: rec[j] for j in JENJANG if isinstance(rec.get(j), int)}
        check_row(f"{where} ({nama})", counts, stated, (a, b), problems)
        rows.append({"nama": nama, "jenjang": counts})
    return rows, problems


def build_document(tabel: str, tanggal: str, sumber: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "_keterangan": {**KETERANGAN, "tanggal_data": tanggal, "sumber": sumber,
                        "dibuat_oleh / made_by": "python -m flask_demo_app.dapodik_loader"},
        "tabel": tabel,
        "tanggal_data": tanggal,
        "sumber": sumber,
        "kelompok": list(TABLES[tabel]),
        "jenjang": list(JENJANG),
        "wilayah": rows,
    }


def source_url(text: str) -> str:
    found = re.search(r"sumber:\s*(\S+)", text)
    return found.group(1) if found else ""


def load_file(path: Path, tabel: str | None = None, tanggal: str | None = None) -> dict[str, Any]:
    """Read one CSV or JSON source and return the checked data document."""
    match = FILE_RE.search(path.name)
    tabel = tabel or (match.group("tabel") if match else None)
    tanggal = tanggal or (match.group("tanggal") if match else None)
    if not tabel or not tanggal:
        raise ConfigError(str(path), ["beri --tabel dan --tanggal, atau namai berkas / give --tabel and "
                                      "--tanggal, or name the file dapodik-<tabel>-<YYYY-MM-DD>.csv"])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SatuLoginError(f"tidak bisa membaca / cannot read {path}: {exc.strerror}") from exc
    if path.suffix == ".json":
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise ConfigError(str(path), [f"JSON tidak valid / invalid JSON: {exc}"]) from exc
        rows, problems = rows_from_dapodik_json(doc, tabel, str(path))
        sumber = doc.get("sumber", "") if isinstance(doc, dict) else ""
    else:
        rows, problems = rows_from_csv(text, tabel, str(path))
        sumber = source_url(text)
    if problems:
        raise ConfigError(str(path), problems)
    if not rows:
        raise ConfigError(str(path), ["tidak ada baris wilayah / no wilayah rows"])
    return build_document(tabel, tanggal, sumber, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flask_demo_app.dapodik_loader",
        description="Transkripsi Dapodik (CSV) atau ekspor JSON Dapodik -> data/dapodik-<tabel>.json")
    parser.add_argument("files", nargs="*", type=Path,
                        help=f"sources (default: every file in {TRANSCRIPTION_DIR})")
    parser.add_argument("--tabel", choices=sorted(TABLES))
    parser.add_argument("--tanggal", help="data date YYYY-MM-DD (default: from the file name)")
    parser.add_argument("-o", "--output-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    files = args.files or sorted(TRANSCRIPTION_DIR.glob("dapodik-*.csv"))
    try:
        for path in files:
            doc = load_file(path, args.tabel, args.tanggal)
            out = table_path(doc["tabel"], args.output_dir)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            total = sum(sum(sum(c.values()) for c in w["jenjang"].values()) for w in doc["wilayah"])
            print(f"{path.name} -> {out} ({len(doc['wilayah'])} wilayah, jumlah/total {total:,})")
    except SatuLoginError as exc:
        print(f"galat / error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
