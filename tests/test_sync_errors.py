"""A Keycloak error on one object is recorded against it; the rest of the run goes on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tests.fixtures.sync import SyncEnv, build_snapshot, kunker


def test_one_bad_user_and_one_clashing_unit_fail_alone(sync_env_factory: Callable[[str], SyncEnv]) -> None:
    env = sync_env_factory("errors")
    hr = build_snapshot(30, seed=71)
    victim = sorted(hr.pegawai)[5]
    taken = hr.pegawai[victim].email
    # Someone made an account by hand with the victim's e-mail: Keycloak refuses a duplicate.
    env.kc.post(
        "/users",
        {
            "username": "operator.manual",
            "email": taken,
            "enabled": True,
            "firstName": "Operator",
            "lastName": "Manual",
        },
    )
    # A hand-made top-level group already has the name of one of our OPDs.
    env.kc.post("/groups", {"name": hr.units[kunker(3)].nama})

    plan, result = env.sync(hr)
    assert result.exit_code == 1
    failed = {(kind, key) for kind, key, _ in result.errors}
    assert ("user", victim) in failed
    assert ("group", kunker(3)) in failed
    # The children of the clashing unit cannot be placed either, and say why.
    in_opd3 = {n for n, p in hr.pegawai.items() if p.unit_kode.startswith("0003")}
    assert {k for kind, k, _ in result.errors if kind == "user"} == in_opd3 | {victim}
    created = {u["username"] for u in env.kc.get("/users", params={"max": 100})}
    assert created == (set(hr.pegawai) - in_opd3 - {victim}) | {"operator.manual"}
    [event] = env.runlog.events(key=victim, result="failed")
    assert "already used by account 'operator.manual'" in (event.error or "")
    [run] = env.runlog.runs(realm=env.realm, limit=1)
    assert run["status"] == "failed" and run["failed"] == result.failed

    # The admin renames their group; the next run converges.
    manual = next(
        g
        for g in env.kc.get("/groups")
        if "satulogin_managed" not in (g.get("attributes") or {}) and g["name"] == hr.units[kunker(3)].nama
    )
    env.kc.put(f"/groups/{manual['id']}", {**manual, "name": "Grup Manual Lama"})
    fixed = replace(hr, pegawai={**hr.pegawai, victim: replace(hr.pegawai[victim], email=None)})
    _, result = env.sync(fixed)
    assert result.failed == 0, result.errors
    assert env.plan(fixed).pending == []
