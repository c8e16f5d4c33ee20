"""Dashboard Pimpinan without a server: tier scoping, figures, charts, the Dapodik loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flask_demo_app import dapodik
from flask_demo_app.charts import Bar, bar_chart
from flask_demo_app.dapodik_loader import load_file, main
from flask_demo_app.scope import may_see, visible_prefixes
from flask_demo_app.staff import figures_for
from flask_demo_app.viewer import viewer_from_claims
from satulogin.errors import ConfigError
from tests.fixtures.dashboard import BIRO_KESRA, BIRO_PEMERINTAHAN, hr_picture


def claims(lingkup: object) -> dict[str, object]:
    return {"nip": "197505202000121001", "name": "Kepala", "lingkup_unit": lingkup,
            "realm_access": {"roles": ["pegawai"]},
            "resource_access": {"dashboard-pimpinan": {"roles": ["pimpinan"]}}}


def test_head_of_biro_sees_own_subtree_and_never_a_sibling_biro() -> None:
    viewer = viewer_from_claims(claims(["00010101"]))
    assert may_see(viewer, BIRO_PEMERINTAHAN)
    assert may_see(viewer, "000101010200000")
    assert not may_see(viewer, BIRO_KESRA)
    assert not may_see(viewer, "000100000000000")   # nor the Setda above it


def test_full_kunker_in_lingkup_stands_for_its_subtree_and_junk_is_ignored() -> None:
    viewer = viewer_from_claims(claims(["000101010000000", "not-a-code", "0001010"]))
    assert visible_prefixes(viewer) == ("00010101",)


def test_staff_member_without_lingkup_sees_nothing_and_sekda_sees_all() -> None:
    assert visible_prefixes(viewer_from_claims(claims(None))) == ()
    sekda = viewer_from_claims(claims("00"))   # one value may arrive as a plain string
    assert visible_prefixes(sekda) == ("00",)
    assert may_see(sekda, BIRO_KESRA) and may_see(sekda, "000200000000000")


def test_figures_count_active_staff_by_unit_golongan_eselon_and_changes() -> None:
    fig = figures_for(hr_picture(), "00010101")
    assert fig.nama == "Biro Pemerintahan"
    assert fig.total == 4                       # the retired H. Suparman is not counted
    assert {u.nama: u.jumlah for u in fig.by_unit} == {
        "Bagian Kerja Sama": 2, "Bagian Otonomi Daerah": 1, "Biro Pemerintahan": 1}
    assert dict(fig.by_golongan) == {"III/a": 1, "III/b": 1, "III/c": 1, "IV/c": 1}
    assert dict(fig.by_eselon) == {"II.a": 1, "IV.a": 1, "non-eselon": 2}
    assert [c.nip for c in fig.joiners] == ["199912312024011012"]
    assert [c.reason for c in fig.leavers] == ["pensiun"]
    province = figures_for(hr_picture(), "00")
    assert province.total == 10
    assert [u.nama for u in province.by_unit] == ["Sekretariat Daerah", "Dinas Pendidikan dan Kebudayaan"]


def test_chart_is_accessible_svg_with_a_value_per_bar() -> None:
    bars = [Bar("Kab. Lebak", [997, 111]), Bar("Kota Serang", [0, 5])]
    svg = str(bar_chart("c1", "Sekolah <per> wilayah", bars, ["Negeri", "Swasta"]))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert "Sekolah &lt;per&gt; wilayah" in svg          # escaped, never raw markup
    assert ">1.108<" in svg and ">5<" in svg
    assert "<title>Kab. Lebak — Swasta: 111</title>" in svg


def test_shipped_data_files_match_the_concept_document_totals() -> None:
    tables = dapodik.load_all()
    # The "Total" rows of the concept document's tables (Dapodik, 2018-02-05).
    assert tables["sekolah"].total() == 7362
    assert [tables["sekolah"].wilayah[0].group_total(g) for g in ("n", "s")] == [877, 848]
    assert tables["guru"].total() == 95468
    assert tables["pegawai"].total() == 9292
    assert tables["peserta_didik"].total() == 103746
    assert "2018-02-05" in tables["guru"].keterangan["tanggal_data"]
    assert "ilustratif" in tables["guru"].keterangan["id"]


def test_loader_regenerates_the_shipped_files_exactly(tmp_path: Path) -> None:
    assert main(["-o", str(tmp_path)]) == 0
    for tabel in dapodik.TABLES:
        assert json.loads(dapodik.table_path(tabel, tmp_path).read_text()) == \
            json.loads(dapodik.table_path(tabel).read_text())


def test_loader_refuses_ambiguous_numbers_and_wrong_sums_naming_row_and_column(tmp_path: Path) -> None:
    source = (dapodik.DATA_DIR / "transkripsi" / "dapodik-guru-2018-02-05.csv").read_text()
    broken = source.replace('"4.800"', '"4.8"', 1).replace('"8.516"', '"8.517"', 1)
    path = tmp_path / "dapodik-guru-2018-02-05.csv"
    path.write_text(broken)
    with pytest.raises(ConfigError) as err:
        load_file(path)
    text = str(err.value)
    assert "baris/row 5 (Kab. Tangerang) kolom/column smp: '4.8' bukan bilangan bulat" in text
    assert "baris/row 5 (Kab. Tangerang): l=8517 tetapi jumlah jenjang" in text


def test_loader_accepts_the_dapodik_json_export_shape(tmp_path: Path) -> None:
    export = {"data": [{"nama": "Kota Cilegon", "kode_wilayah": "286000", "sd": 180, "sd_n": 150, "sd_s": 30,
                        "smp_n": 12, "smp_s": 30, "sma_n": 5, "sma_s": 18, "smk_n": 4, "smk_s": 21,
                        "slb_n": 0, "slb_s": 4}]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    doc = load_file(path, "sekolah", "2018-02-05")
    assert doc["wilayah"][0]["jenjang"]["sd"] == {"n": 150, "s": 30}
    export["data"][0]["sd"] = 181
    path.write_text(json.dumps(export))
    with pytest.raises(ConfigError, match="sd=181 tetapi"):
        load_file(path, "sekolah", "2018-02-05")


def test_missing_client_secret_is_a_message_and_exit_code_not_a_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SATULOGIN_CLIENT_SECRET")}
    env["SATULOGIN_SECRETS_DIR"] = str(tmp_path)   # no locally stored secret either
    done = subprocess.run([sys.executable, "-m", "flask_demo_app", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "SATULOGIN_CLIENT_SECRET" in done.stderr and "Traceback" not in done.stderr
