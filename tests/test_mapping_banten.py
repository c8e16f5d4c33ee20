"""The mapping on the real realm declarations (realm/banten: declarative user profile, clients)
after a real sync run: what the sync wrote is what the rules match on, and our attributes are
accepted by the declared user profile."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from satulogin.errors import ConfigError
from satulogin.kc_admin import KeycloakAdmin
from sync.apply import ApplyOptions, apply_plan
from sync.mapping import service
from sync.mapping.roles import RoleRef
from sync.mapping.rules import parse_ruleset
from sync.plan import make_plan
from sync.runlog import RunLog
from tests.fixtures.sync import build_snapshot, kunker, with_pegawai

REALM = "t-map-banten"


def rules(opd2: str) -> dict[str, object]:
    return {
        "rules": [
            {"id": "pegawai-dasar", "roles": ["pegawai"]},
            {"id": "pimpinan-opd", "roles": ["dashboard-pimpinan/pimpinan"],
             "match": {"jenis": ["struktural"], "eselon": {"from": "II.a", "to": "II.b"}}},
            {"id": "operator-opd2", "roles": ["e-arsip/operator"], "match": {"unit": [opd2]}},
        ],
        "lingkup": [{"match": {"eselon": {"from": "II.a", "to": "II.b"}}, "scope": "opd"},
                    {"match": {"jenis": ["struktural"]}, "scope": "unit"}],
    }


def test_rules_on_the_banten_realm_after_a_sync(kc_admin_factory: Callable[[str], KeycloakAdmin],
                                                 banten_realm_factory: Callable[[str], str]) -> None:
    kc = kc_admin_factory(REALM)
    kc.request("DELETE", "", ok=(404,))
    banten_realm_factory(REALM)
    try:
        snapshot = build_snapshot(n_pegawai=30)
        first = sorted(snapshot.pegawai)[0]
        top = kunker(1)   # make sure one OPD head is among them
        snapshot = with_pegawai(snapshot, first, unit_kode=top, jabatan_kode=f"S{top[2:8]}", eselon="II.a")
        with tempfile.TemporaryDirectory() as tmp:
            runlog = RunLog(Path(tmp) / "runlog.sqlite")
            plan, state = make_plan(kc, snapshot)
            apply_plan(kc, plan, state, runlog, options=ApplyOptions(progress=False))
            runlog.close()
        ruleset = parse_ruleset(rules(kunker(2)), "test")
        # The app is not registered yet (realm/banten does not declare it):
        # validation names both before anything is written.
        with pytest.raises(ConfigError) as err:
            service.prepare(kc, ruleset)
        assert any("e-arsip" in p for p in err.value.problems)
        # Onboarding registers the app and the dashboard's roles.
        kc.post("/clients", json={"clientId": "e-arsip", "publicClient": True})
        earsip = kc.get("/clients", params={"clientId": "e-arsip"})[0]["id"]
        kc.post(f"/clients/{earsip}/roles", json={"name": "operator"})
        dash = kc.get("/clients", params={"clientId": "dashboard-pimpinan"})[0]["id"]
        if kc.request("GET", f"/clients/{dash}/roles/pimpinan", ok=(404,)).status_code == 404:
            kc.post(f"/clients/{dash}/roles", json={"name": "pimpinan"})
        prepared = service.prepare(kc, ruleset)
        report = service.apply(kc, prepared)
        assert not report.failures
        heads = [p for p in snapshot.pegawai.values() if p.eselon == "II.a"]
        assert heads
        head = kc.get("/users", params={"username": heads[0].nip, "exact": "true",
                                        "briefRepresentation": "false"})[0]
        attrs = head["attributes"]
        assert "dashboard-pimpinan/pimpinan" in attrs["satulogin_grants"]
        assert attrs["lingkup_unit"] == [heads[0].unit_kode[:4]]
        assert attrs["satulogin_managed"] == ["hr-sync"] and attrs["nip"] == [heads[0].nip]
        in_opd2 = {p.nip for p in snapshot.pegawai.values() if p.unit_kode.startswith(kunker(2)[:4])}
        assert prepared.plan.changes[RoleRef("e-arsip", "operator")].gains == in_opd2
        # A second mapping run has nothing to do.
        assert service.prepare(kc, ruleset).plan.is_empty
        # A mover through the real sync: out of OPD 2. The sync's write must keep our record
        # (satulogin_grants), or the old grant would look manual and never be revoked.
        mover = sorted(in_opd2)[0]
        snapshot = with_pegawai(snapshot, mover, unit_kode=kunker(3), jabatan_kode="P001", eselon=None)
        with tempfile.TemporaryDirectory() as tmp:
            runlog = RunLog(Path(tmp) / "runlog.sqlite")
            plan, state = make_plan(kc, snapshot)
            apply_plan(kc, plan, state, runlog, options=ApplyOptions(progress=False))
            runlog.close()
        moved = service.prepare(kc, ruleset)
        assert moved.plan.changes[RoleRef("e-arsip", "operator")].losses == {mover}
        service.apply(kc, moved)
        assert service.prepare(kc, ruleset).plan.is_empty
    finally:
        kc.request("DELETE", "", ok=(404,))
