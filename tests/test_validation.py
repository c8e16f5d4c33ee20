"""Validation: every reason a row is quarantined, with the row named; the rest goes on."""

from __future__ import annotations

from datetime import date

from sync.model import SourceRow, StatusPegawai
from sync.nip import nik_problems, nip_problems, parse_nip
from sync.status import StatusMapper
from sync.validation import RawRecord, validate

TODAY = date(2026, 1, 15)
SETDA, ASISTEN, BIRO = "000100000000000", "000101000000000", "000101010000000"


def rec(source: str, row: int, **values: object) -> RawRecord:
    return RawRecord(origin=SourceRow(source, row, dict(values)), values=dict(values))


def units(*extra: RawRecord) -> list[RawRecord]:
    return [rec("unit", 2, kode=SETDA, nama="Sekretariat Daerah", parent_kode=None),
            rec("unit", 3, kode=ASISTEN, nama="Asisten Pemerintahan", parent_kode=None),
            rec("unit", 4, kode=BIRO, nama="Biro Pemerintahan", parent_kode=""), *extra]


def jabatan(*extra: RawRecord) -> list[RawRecord]:
    return [rec("jab", 2, kode="S1", nama="Kepala Biro Pemerintahan", jenis="Struktural", unit_kode=BIRO,
                eselon="II.a"),
            rec("jab", 3, kode="P1", nama="Pengadministrasi Umum", jenis="pelaksana", unit_kode=SETDA,
                eselon=""), *extra]


def person(row: int, nip: object = "198001012005011001", **over: object) -> RawRecord:
    values: dict[str, object] = {"nip": nip, "nama": "Ahmad Hidayat", "unit_kode": BIRO, "jabatan_kode": "P1",
                                 "status": "Aktif", "email": "", "golongan": "III/a", "eselon": ""}
    values.update(over)
    return rec("pegawai.csv", row, **values)


def reasons_by_row(snapshot_quarantine: list, kind: str) -> dict[object, str]:
    return {q.origin.row: " | ".join(q.reasons) for q in snapshot_quarantine if q.kind == kind}


def test_valid_nip_parts() -> None:
    parts = parse_nip("198001012005011001")
    assert parts.tanggal_lahir == date(1980, 1, 1)
    assert parts.tmt_cpns == (2005, 1) and parts.jenis_kelamin == 1 and parts.urutan == "001"


def test_nip_problems_name_each_part() -> None:
    assert nip_problems("198001012005011001", today=TODAY) == []
    assert "18 digit" in nip_problems("19800101200501100", today=TODAY)[0]
    assert "angka saja" in nip_problems("19800101200501100X", today=TODAY)[0]
    assert "Teks" in nip_problems("1.98001E+17", today=TODAY)[0]
    assert "tanggal lahir" in nip_problems("198002302005011001", today=TODAY)[0]
    assert "bulan TMT" in nip_problems("198001012005131001", today=TODAY)[0]
    assert "masa depan" in nip_problems("198001012027011001", today=TODAY)[0]
    assert "jenis kelamin" in nip_problems("198001012005013001", today=TODAY)[0]
    assert "urut" in nip_problems("198001012005011000", today=TODAY)[0]
    many = nip_problems("198013402005133000", today=TODAY)
    assert len(many) == 4   # birth date, TMT month, gender, sequence: all at once


def test_nik_banten_and_women_day_plus_40() -> None:
    assert nik_problems("3601234501900001", today=TODAY) == []     # woman born 05-01-1990
    assert nik_problems("3671011201850002", today=TODAY) == []     # man born 12-01-1985
    assert "Banten" in nik_problems("3201011201850002", today=TODAY)[0]
    assert "tanggal lahir" in nik_problems("3601017201850002", today=TODAY)[0]   # day 72-40=32
    assert "16 digit" in nik_problems("360101120185000", today=TODAY)[0]


def test_good_rows_pass_and_counts_are_before_validation() -> None:
    rows = [person(2), person(3, "198505152010012002", email="a@bantenprov.go.id")]
    snap = validate(units(), jabatan(), rows, today=TODAY)
    assert snap.quarantine == []
    assert set(snap.units) == {SETDA, ASISTEN, BIRO}
    assert snap.units[BIRO].parent_kode == ASISTEN
    assert snap.jabatan["S1"].eselon == "II.a"
    assert snap.pegawai["198505152010012002"].email == "a@bantenprov.go.id"
    assert snap.source_counts == {"units": 3, "jabatan": 2, "pegawai": 2}


def test_every_pegawai_reason_names_the_row() -> None:
    rows = [
        person(10, "19800101200501100"),                                  # NIP length
        person(11, 1.98001012005011e17),                                  # a float cell
        person(12, "198001012005011002", nama=""),                        # missing name
        person(13, "198001012005011003", unit_kode="009900000000000"),    # unknown unit
        person(14, "198001012005011004", jabatan_kode="NOPE"),            # unknown jabatan
        person(15, "198001012005011005", email="bukan-email"),            # invalid e-mail
        person(16, "198001012005011006", status="Cuti Panjang Sekali"),   # unknown status
        person(17, "198001012005011007", golongan="V/z"),                 # unknown golongan
        person(18, "198001012005011008", unit_kode=1000000000000.0),      # kunker as a number
        person(19, "198001012005011009"),                                 # fine
    ]
    snap = validate(units(), jabatan(), rows, today=TODAY)
    got = reasons_by_row(snap.quarantine, "pegawai")
    assert "18 digit" in got[10]
    assert "sebagai angka" in got[11]
    assert "nama pegawai" in got[12]
    assert "unit 009900000000000 tidak dikenal" in got[13]
    assert "jabatan NOPE tidak dikenal" in got[14]
    assert "e-mail 'bukan-email' tidak sah" in got[15]
    assert "status pegawai" in got[16]
    assert "golongan" in got[17]
    assert "kunker dibaca sebagai angka" in got[18]
    assert set(got) == set(range(10, 19))
    assert list(snap.pegawai) == ["198001012005011009"]
    q = next(q for q in snap.quarantine if q.origin.row == 13)
    assert q.origin.source == "pegawai.csv" and q.origin.raw["unit_kode"] == "009900000000000"


def test_all_reasons_of_one_row_are_kept() -> None:
    row = person(5, "198013402005133000", nama="", jabatan_kode="X")
    snap = validate(units(), jabatan(), [row], today=TODAY)
    (q,) = snap.quarantine
    assert len(q.reasons) == 6   # 4 NIP problems + name + jabatan


def test_duplicate_nip_quarantines_both_rows() -> None:
    rows = [person(2), person(3, nama="Orang Lain"), person(4, "198001012005011002")]
    snap = validate(units(), jabatan(), rows, today=TODAY)
    got = reasons_by_row(snap.quarantine, "pegawai")
    assert set(got) == {2, 3}
    assert "NIP 198001012005011001 ganda (baris 2, 3)" in got[2]
    assert list(snap.pegawai) == ["198001012005011002"]


def test_duplicate_email_quarantines_both_rows_case_insensitively() -> None:
    snap = validate(units(), jabatan(), [person(2, email="Sama@bantenprov.go.id"),
                                         person(3, "198001012005011002", email="sama@bantenprov.go.id")],
                    today=TODAY)
    got = reasons_by_row(snap.quarantine, "pegawai")
    assert set(got) == {2, 3} and "e-mail sama@bantenprov.go.id ganda" in got[3]


def test_unit_reasons_and_parent_cascade() -> None:
    bad = [
        rec("unit", 10, kode="010100000000000", nama="Tanpa 00"),                  # no 00 prefix
        rec("unit", 11, kode="000100000000001", nama="Ekor"),                      # no 000 suffix
        rec("unit", 12, kode="000100010000000", nama="Lompat"),                    # level gap
        rec("unit", 13, kode="0001", nama="Pendek"),                               # length
        rec("unit", 14, kode="000200000000000", nama=""),                          # no name
        rec("unit", 15, kode="000301000000000", nama="Yatim"),                     # unknown parent
        rec("unit", 16, kode="000301010000000", nama="Cucu yatim"),                # parent quarantined
        rec("unit", 17, kode=101000000000.0, nama="Angka"),                        # number cell
        rec("unit", 18, kode="000102000000000", nama="Dua kali"),
        rec("unit", 19, kode="000102000000000", nama="Dua kali juga"),             # duplicate: both
    ]
    snap = validate(units(*bad), jabatan(), [], today=TODAY)
    got = reasons_by_row(snap.quarantine, "unit")
    assert "diawali 00" in got[10]
    assert "diakhiri 000" in got[11]
    assert "melompati level" in got[12]
    assert "15 digit" in got[13]
    assert "nama unit" in got[14]
    assert "unit induk 000300000000000 tidak dikenal" in got[15]
    assert "unit induk 000301000000000 dikarantina" in got[16]
    assert "sebagai angka" in got[17]
    assert "ganda" in got[18] and "ganda" in got[19]
    assert set(snap.units) == {SETDA, ASISTEN, BIRO}


def test_explicit_parent_cycle_is_quarantined() -> None:
    rows = [rec("unit", 2, kode="000500000000000", nama="A", parent_kode="000600000000000"),
            rec("unit", 3, kode="000600000000000", nama="B", parent_kode="000500000000000"),
            rec("unit", 4, kode="000501000000000", nama="Anak A")]
    snap = validate(rows, [], [], today=TODAY)
    got = reasons_by_row(snap.quarantine, "unit")
    assert "lingkaran" in got[2] and "lingkaran" in got[3]
    assert "unit induk 000500000000000 dikarantina" in got[4]      # and everything below


def test_jabatan_reasons() -> None:
    bad = [
        rec("jab", 10, kode="J10", nama="X", jenis="struktural", unit_kode="009900000000000", eselon="II.a"),
        rec("jab", 11, kode="J11", nama="", jenis="fungsional", unit_kode=SETDA, eselon=""),
        rec("jab", 12, kode="J12", nama="X", jenis="honorer", unit_kode=SETDA, eselon=""),
        rec("jab", 13, kode="J13", nama="X", jenis="struktural", unit_kode=SETDA, eselon="VI.z"),
        rec("jab", 14, kode="J 14/x", nama="X", jenis="pelaksana", unit_kode=SETDA, eselon=""),
        rec("jab", 15, kode="P1", nama="Lagi", jenis="pelaksana", unit_kode=SETDA, eselon=""),
    ]
    snap = validate(units(), jabatan(*bad), [], today=TODAY)
    got = reasons_by_row(snap.quarantine, "jabatan")
    assert "unit 009900000000000 untuk jabatan J10 tidak dikenal" in got[10]
    assert "nama jabatan" in got[11]
    assert "jenis jabatan 'honorer'" in got[12]
    assert "eselon 'VI.z'" in got[13]
    assert "kode jabatan 'J 14/x'" in got[14]
    assert "ganda" in got[15] and "ganda" in got[3]     # duplicate code: both rows
    assert set(snap.jabatan) == {"S1"}


def test_statuses_map_and_leavers_keep_dissolved_units() -> None:
    rows = [person(2, "198001012005011001", status="Pensiun", unit_kode="009900000000000",
                   jabatan_kode="GONE"),
            person(3, "198001012005011002", status="Meninggal Dunia"),
            person(4, "198001012005011003", status="CLTN"),
            person(5, "198001012005011004", status="mutasi  keluar"),
            person(6, "198001012005011005", status="Berhenti"),
            person(7, "198001012005011006", status="Honorer Lepas")]
    snap = validate(units(), jabatan(), rows, StatusMapper({"Honorer Lepas": "berhenti"}), today=TODAY)
    assert snap.quarantine == []
    statuses = {p.nip[-1]: p.status for p in snap.pegawai.values()}
    assert statuses == {"1": StatusPegawai.PENSIUN, "2": StatusPegawai.MENINGGAL,
                        "3": StatusPegawai.CLTN, "4": StatusPegawai.MUTASI_KELUAR,
                        "5": StatusPegawai.BERHENTI, "6": StatusPegawai.BERHENTI}
    assert snap.pegawai["198001012005011001"].unit_kode == "009900000000000"


def test_eselon_and_golongan_are_normalised_and_eselon_comes_from_jabatan() -> None:
    snap = validate(units(), jabatan(), [person(2, jabatan_kode="S1", golongan="iv/C", eselon=""),
                                         person(3, "198001012005011002", eselon="IIIb", golongan="III.a")],
                    today=TODAY)
    assert snap.pegawai["198001012005011001"].eselon == "II.a"
    assert snap.pegawai["198001012005011001"].golongan == "IV/c"
    assert snap.pegawai["198001012005011002"].eselon == "III.b"


def test_status_default_fills_empty_cells_only() -> None:
    rows = [person(2, status=""), person(3, "198001012005011002", status="")]
    assert len(validate(units(), jabatan(), rows, today=TODAY).quarantine) == 2    # empty is unknown
    snap = validate(units(), jabatan(), rows, StatusMapper(default="aktif"), today=TODAY)
    assert snap.quarantine == [] and {p.status for p in snap.pegawai.values()} == {StatusPegawai.AKTIF}


def test_extra_columns_are_kept_on_the_pegawai() -> None:
    record = person(2)
    extra: dict[str, object] = {"nomor_hp": "0812345", "kosong": ""}
    with_extra = RawRecord(origin=record.origin, values=record.values, extra=extra)
    snap = validate(units(), jabatan(), [with_extra], today=TODAY)
    assert snap.pegawai["198001012005011001"].extra == {"nomor_hp": "0812345"}


def test_what_keycloak_would_refuse_is_quarantined_here() -> None:
    # The bulk extension writes past Keycloak's user-profile validators; an account holding a
    # value they refuse could never be updated (or disabled) through the Admin API again.
    long_unit = rec("unit", 5, kode="000101020000000", nama="Biro " + "x" * 260, parent_kode=None)
    long_jab = rec("jab", 4, kode="P2", nama="Analis " + "y" * 260, jenis="pelaksana", unit_kode=SETDA,
                   eselon="")
    rows = [
        person(2, "198001012005011001", email="x..y@bantenprov.go.id"),         # doubled dot
        person(3, "198001012005011002", email=".a@bantenprov.go.id"),           # leading dot
        person(4, "198001012005011003", email=("a" * 65) + "@bantenprov.go.id"),  # local part > 64
        person(5, "198001012005011004", nama="Ctl\x07\x00X"),                    # control characters
        person(6, "198001012005011005", nama="Budi <script>"),                  # prohibited in names
        person(7, "198001012005011006", gelar_belakang="S.Kom." * 50),          # too long with gelar
        person(8, "198001012005011007", nama="Siti Nur'aini", gelar_depan="Dr. H.",
               gelar_belakang="S.Kom., M.T.", email="siti.nur-aini+sso@bantenprov.go.id"),  # fine
    ]
    snap = validate(units(long_unit), jabatan(long_jab), rows, today=TODAY)
    got = reasons_by_row(snap.quarantine, "pegawai")
    assert set(got) == {2, 3, 4, 5, 6, 7}, got
    assert "tidak sah" in got[2] and "tidak sah" in got[3] and "tidak sah" in got[4]
    assert "'\\x00' '\\x07'" in got[5] and "ditolak Keycloak" in got[5]
    assert "'<' '>'" in got[6]
    assert "lebih dari 255" in got[7]
    assert list(snap.pegawai) == ["198001012005011007"]
    assert "lebih dari 255" in reasons_by_row(snap.quarantine, "unit")[5]
    assert "lebih dari 255" in reasons_by_row(snap.quarantine, "jabatan")[4]


def test_json_objects_are_not_names_and_number_nips_are_not_duplicates() -> None:
    rows = [
        person(2, "198001012005011001", nama={"depan": "Bambang"}),                # a REST API's object
        person(3, "198001012005011002", gelar_belakang=["S.Kom.", "M.T."]),        # and a list
        person(4, 1.96805121994031e17),                                            # spreadsheet numbers:
        person(5, 1.96805121994031e17),                                            # the same when rounded
        person(6, "198001012005011003"),
    ]
    snap = validate(units(), jabatan(), rows, today=TODAY)
    got = reasons_by_row(snap.quarantine, "pegawai")
    assert set(got) == {2, 3, 4, 5}
    assert "nama bukan teks" in got[2] and "gelar_belakang bukan teks" in got[3]
    assert "ganda" not in got[4] and "ganda" not in got[5] and "sebagai angka" in got[4]
    assert list(snap.pegawai) == ["198001012005011003"]
