"""Changes to existing accounts through our extension's ``user-updates`` (``sync/bulk.py``).

Movers, renames, leavers, re-enables and adoptions go to Keycloak hundreds per request, each
account in one transaction. Here: the accounts end exactly as the plain Admin REST path leaves
them, hand-made grants and all; and a leaver loses access even where the Admin REST API would
refuse to write their account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import requests

from sync.apply import ApplyOptions
from sync.model import JenisJabatan, StatusPegawai
from sync.safety import SafetyLimits
from sync.snapshot import HrSnapshot
from tests.fixtures.sync import SyncEnv, build_snapshot, with_pegawai, without_pegawai
from tests.test_sync_bulk import _accounts

PASSWORD = "Rahasia-Banten-2026!"


def _prepare(env: SyncEnv) -> None:
    env.kc.post("/clients", {"clientId": "t-direct", "publicClient": True,
                             "directAccessGrantsEnabled": True, "standardFlowEnabled": False})
    env.kc.post("/roles", {"name": "manual-role", "description": "granted by hand"})
    env.kc.post("/groups", {"name": "Tim Manual"})


def _login(env: SyncEnv, nip: str) -> requests.Response:
    return requests.post(
        f"{env.kc.conn.server_url}/realms/{env.realm}/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "t-direct", "username": nip, "password": PASSWORD},
        timeout=30,
    )


def _with_password(env: SyncEnv, nip: str) -> str:
    uid = str(env.user(nip)["id"])
    env.kc.put(f"/users/{uid}/reset-password", {"type": "password", "value": PASSWORD, "temporary": False})
    env.kc.put(f"/users/{uid}", {**env.user(nip), "requiredActions": []})
    assert _login(env, nip).status_code == 200
    return uid


def _grant_by_hand(env: SyncEnv, nip: str) -> None:
    uid = env.user(nip)["id"]
    role = env.kc.get("/roles/manual-role")
    env.kc.post(f"/users/{uid}/role-mappings/realm", [{"id": role["id"], "name": "manual-role"}])
    group = env.kc.get("/groups", params={"search": "Tim Manual"})[0]
    env.kc.put(f"/users/{uid}/groups/{group['id']}")


def _month_of_changes(hr: HrSnapshot, adopted: str) -> HrSnapshot:
    """Movers, a jabatan without eselon, renames, a new e-mail, a lost e-mail, leavers by status
    and by absence, a new golongan, and the hand-made account's NIP back in the source."""
    nips = sorted(hr.pegawai)
    units = sorted(hr.units)
    p = hr.pegawai
    fungsional = next(j.kode for j in hr.jabatan.values() if j.jenis is JenisJabatan.FUNGSIONAL)
    out = hr
    mover = p[nips[0]]
    new_unit = next(u for u in units if u != mover.unit_kode)
    out = with_pegawai(out, mover.nip, unit_kode=new_unit, jabatan_kode=f"S{new_unit[2:8]}",
                       eselon=hr.jabatan[f"S{new_unit[2:8]}"].eselon)
    out = with_pegawai(out, nips[1], jabatan_kode=fungsional, eselon=None)
    out = with_pegawai(out, nips[2], nama="Ratna Sari Dewi", gelar_belakang="S.Sos.")
    out = with_pegawai(out, nips[3], email="pindah.alamat@bantenprov.go.id")
    out = with_pegawai(out, nips[4], email=None)
    out = with_pegawai(out, nips[5], status=StatusPegawai.PENSIUN)
    out = with_pegawai(out, nips[6], golongan="IV/b")
    out = without_pegawai(out, nips[7])
    pegawai = dict(out.pegawai)
    pegawai[adopted] = hr.pegawai[adopted]
    return replace(out, pegawai=pegawai, source_counts={**out.source_counts, "pegawai": len(pegawai)})


def test_extension_changes_accounts_as_the_admin_api_does(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    full = build_snapshot(40, seed=11)
    adopted = sorted(full.pegawai)[-1]
    before = without_pegawai(full, adopted)
    month = _month_of_changes(full, adopted)
    back = with_pegawai(month, sorted(full.pegawai)[5], status=StatusPegawai.AKTIF)  # re-enabled
    fast, plain = sync_env_factory("upd-ext"), sync_env_factory("upd-plain")
    for env, use_extension in ((fast, True), (plain, False)):
        _prepare(env)
        # A hand-made account whose username is a NIP: adopted below (--adopt).
        p = full.pegawai[adopted]
        env.kc.post("/users", {"username": adopted, "firstName": "Manual", "lastName": "Account",
                               "email": p.email, "enabled": True})
        options = ApplyOptions(progress=False, use_extension=use_extension, bulk_batch_size=3, bulk_chunk=2)
        _, r0 = env.sync(before, options=options)
        assert r0.failed == 0, r0.errors
        for nip in sorted(full.pegawai)[:8]:
            _grant_by_hand(env, nip)
        _with_password(env, sorted(full.pegawai)[5])
        plan, r1 = env.sync(month, adopt=True, options=options, limits=SafetyLimits(allow_mass_disable=True))
        assert r1.failed == 0, r1.errors
        assert {c.action for c in plan.pending} == {"move", "update", "disable", "adopt"}
        assert env.kc.get(f"/users/{env.user(sorted(full.pegawai)[5])['id']}/sessions") == []
        plan, r2 = env.sync(back, options=options)
        assert r2.failed == 0, r2.errors
        assert [c.action for c in plan.pending] == ["enable"]
        assert not env.plan(back).pending, "converged"
    a, b = _accounts(fast), _accounts(plain)
    assert len(a) == 40
    # Keycloak's logout stamps the time sessions were ended: the same leavers on both sides.
    logged_out = {k for k, u in a.items() if u.pop("notBefore", 0)}
    assert logged_out == {k for k, u in b.items() if u.pop("notBefore", 0)}
    assert sorted(full.pegawai)[5] in logged_out
    assert a == b
    moved = a[sorted(full.pegawai)[0]]
    assert {"manual-role", "pegawai"} <= set(moved["realmRoles"])
    assert "/Tim Manual" in moved["groups"], "a hand-made membership survives the move"
    assert "eselon" not in a[sorted(full.pegawai)[1]]["attributes"], "an emptied attribute is removed"
    assert a[sorted(full.pegawai)[7]]["enabled"] is False, "gone from the source: disabled"
    assert a[adopted]["attributes"]["satulogin_managed"] == ["hr-sync"]


def test_a_leaver_is_disabled_even_where_the_admin_api_refuses_their_account(
    sync_env_factory: Callable[[str], SyncEnv],
) -> None:
    env = sync_env_factory("upd-refused")
    _prepare(env)
    hr = build_snapshot(6, seed=12)
    _, r0 = env.sync(hr)
    assert r0.failed == 0, r0.errors
    first, second = sorted(hr.pegawai)[:2]
    uid = _with_password(env, first)
    uid2 = _with_password(env, second)
    # Data Keycloak's user-profile validators refuse today (written before a rule existed, or
    # past the validators): the Admin REST API now refuses any full write of these accounts.
    env.kc.post("/satulogin-sync/user-updates", {"users": [
        {"id": uid, "username": first, "attributes": {"eselon": ["bukan eselon"]}},
        {"id": uid2, "username": second, "attributes": {"eselon": ["bukan eselon"]}},
    ]})
    refused = env.kc.request("PUT", f"/users/{uid}", json={**env.user(first), "enabled": False}, ok=(400,))
    assert refused.status_code == 400, "the Admin REST API refuses to write this account"
    # One leaves by status; the other leaves too, with an e-mail in the source that another
    # account already holds, so the rest of their change cannot be written.
    env.kc.post("/users", {"username": "manual.owner", "email": "dipakai@bantenprov.go.id", "enabled": True})
    gone = with_pegawai(hr, first, status=StatusPegawai.PENSIUN)
    gone = with_pegawai(gone, second, status=StatusPegawai.BERHENTI, email="dipakai@bantenprov.go.id")
    _, result = env.sync(gone, limits=SafetyLimits(allow_mass_disable=True))
    for nip, user_id in ((first, uid), (second, uid2)):
        user = env.user(nip)
        assert user["enabled"] is False and user["id"] == user_id, nip
        assert env.kc.get(f"/users/{user_id}/sessions") == [], nip
        assert _login(env, nip).status_code != 200, nip
    assert env.user(first)["attributes"]["status_pegawai"] == ["pensiun"]
    [(kind, key, error)] = result.errors
    assert (kind, key) == ("user", second)
    assert "disabled and logged out" in error and "manual.owner" in error, error
