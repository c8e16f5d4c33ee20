"""Benchmark the HR sync on the running test Keycloak (not a timed test).

    .venv/bin/python bench/bench_sync.py                 # 10,000 pegawai
    .venv/bin/python bench/bench_sync.py --pegawai 100000
    .venv/bin/python bench/bench_sync.py --baseline-sample 500 --ldap-sample 2000

Scenarios, each in a fresh realm ``t-sync-bench*`` carrying the banten declarations:
1. our initial full sync of the generated province (SQLite SIMPEG stand-in -> loader -> plan -> apply);
   baselines on the same people: a python-keycloak loop (create user, add to group, grant
   roles, one user at a time) and Keycloak's own LDAP federation full sync from slapd;
2. a re-sync with nothing changed; 3. a re-sync with 1% of the people changed.
The baselines can run on a sample (``--baseline-sample``, ``--ldap-sample``) and are then
extrapolated as users/s; the report says so. Prints users/s, write requests, peak RSS.

Keycloak: $KEYCLOAK_URL + $KEYCLOAK_ADMIN_PASSWORD, else the local ``test`` instance (port 18080).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from satulogin.kc_admin import AdminConnection, KeycloakAdmin, server_connection  # noqa: E402
from satulogin.keycloak_server import KeycloakServer, ServerConfig  # noqa: E402
from sync.apply import ApplyOptions, apply_plan  # noqa: E402
from sync.config import default_config  # noqa: E402
from sync.desired import desired_state  # noqa: E402
from sync.loader import load_snapshot  # noqa: E402
from sync.plan import make_plan  # noqa: E402
from sync.runlog import RunLog  # noqa: E402
from sync.safety import SafetyLimits  # noqa: E402
from sync.snapshot import HrSnapshot  # noqa: E402


@dataclass
class Row:
    name: str
    users: int
    seconds: float
    writes: int
    reads: int
    note: str = ""

    @property
    def rate(self) -> float:
        return self.users / self.seconds if self.seconds else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def connection() -> AdminConnection:
    if os.environ.get("KEYCLOAK_URL"):
        return AdminConnection.from_env()
    port = int(os.environ.get("SATULOGIN_TEST_KC_PORT", "18080"))
    server = KeycloakServer(ServerConfig(instance="test", http_port=port, management_port=port + 1000))
    return server_connection(server)


def fresh_realm(conn: AdminConnection, name: str) -> KeycloakAdmin:
    from realm import apply_realm
    from realm.loader import DEFAULT_DIR
    from tests.fixtures.realm import ensure_test_secrets

    kc = KeycloakAdmin(conn, name, pool_size=32)
    kc.request("DELETE", "", ok=(404,), timeout=600)
    ensure_test_secrets()
    apply_realm(kc, DEFAULT_DIR, realm_name=name)
    return kc


def our_sync(kc: KeycloakAdmin, hr: HrSnapshot, log: RunLog, label: str, users: int) -> Row:
    reads0, writes0 = kc.counter.snapshot()
    started = time.monotonic()
    plan, state = make_plan(kc, hr, sync_disabled=log.disabled_by_sync(kc.realm))
    result = apply_plan(
        kc,
        plan,
        state,
        log,
        options=ApplyOptions(progress=sys.stderr.isatty()),
        limits=SafetyLimits(allow_shrink=True),
    )
    seconds = time.monotonic() - started
    reads1, writes1 = kc.counter.snapshot()
    counts = plan.counts().get("user", {})
    note = ", ".join(f"{a} {n}" for a, n in counts.items()) + (
        f"; FAILED {result.failed}" if result.failed else ""
    )
    return Row(label, users, seconds, writes1 - writes0, reads1 - reads0, note)


def python_keycloak_loop(conn: AdminConnection, hr: HrSnapshot, sample: int) -> Row:
    """The straightforward loop an integrator writes first, on a realm that already has the
    groups and roles (created by our sync without people, not timed)."""
    from keycloak import KeycloakAdmin as PkAdmin
    from keycloak import KeycloakOpenIDConnection

    kc = fresh_realm(conn, "t-sync-bench-pk")
    log = RunLog(Path(tempfile.mkdtemp()) / "runlog.sqlite")
    empty = HrSnapshot(units=hr.units, jabatan=hr.jabatan, pegawai={}, source_counts={"pegawai": 0})
    plan, state = make_plan(kc, empty)
    apply_plan(
        kc,
        plan,
        state,
        log,
        options=ApplyOptions(progress=False),
        limits=SafetyLimits(allow_empty_source=True),
    )
    pk = PkAdmin(
        connection=KeycloakOpenIDConnection(
            server_url=conn.server_url,
            username=conn.username,
            password=conn.password,
            realm_name="t-sync-bench-pk",
            user_realm_name="master",
            verify=True,
        )
    )
    desired = desired_state(hr)
    groups = {g["attributes"]["kunker"][0]: g["id"] for g in _all_groups(kc)}
    people = [u for u in desired.users.values() if u.enabled][:sample]
    writes = 0
    started = time.monotonic()
    for u in people:
        uid = pk.create_user(
            {
                "username": u.username,
                "firstName": u.first_name,
                "lastName": u.last_name,
                "email": u.email,
                "enabled": True,
                "attributes": u.attributes,
                "requiredActions": ["UPDATE_PASSWORD"],
            },
            exist_ok=False,
        )
        pk.group_user_add(uid, groups[u.unit_kode])
        roles = [pk.get_realm_role(name) for name in u.roles]
        pk.assign_realm_roles(uid, roles)
        writes += 3
    seconds = time.monotonic() - started
    kc.close()
    return Row(
        "python-keycloak loop",
        len(people),
        seconds,
        writes,
        0,
        f"sample of {len(people)}, users/s extrapolated to the full set",
    )


def _all_groups(kc: KeycloakAdmin) -> list[dict[str, Any]]:
    from sync.keycloak_state import read_groups

    return [{"id": g.id, "attributes": g.attributes} for g in read_groups(kc).values() if g.kunker]


def ldap_federation(conn: AdminConnection, hr: HrSnapshot, sample: int) -> Row:
    """Keycloak's LDAP federation full sync of the same people loaded into a slapd we start."""
    from tests.fixtures.hr_sources_ldap import SlapdServer

    people = [p for p in hr.pegawai.values() if not p.status.is_leaver][:sample]
    root = Path(tempfile.mkdtemp(prefix="bench-slapd-"))
    slapd = SlapdServer(root)
    slapd.start()
    try:
        chunk: list[str] = []
        for p in people:
            cn = " ".join(p.nama.split()) or p.nip
            chunk.append(
                f"dn: uid={p.nip},ou=people,{slapd.base_dn}\nobjectClass: inetOrgPerson\nuid: {p.nip}\n"
                f"cn: {cn}\nsn: {cn.split()[-1]}\ngivenName: {cn.split()[0]}\nemployeeNumber: {p.nip}\n"
                + (f"mail: {p.email}\n" if p.email else "")
                + "\n"
            )
            if len(chunk) == 1000:
                slapd.add("".join(chunk))
                chunk = []
        if chunk:
            slapd.add("".join(chunk))
        kc = fresh_realm(conn, "t-sync-bench-ldap")
        realm_id = kc.get("")["id"]
        config = {
            "vendor": ["other"],
            "connectionUrl": [slapd.url],
            "bindDn": [slapd.admin_dn],
            "bindCredential": [slapd.admin_password],
            "usersDn": [f"ou=people,{slapd.base_dn}"],
            "usernameLDAPAttribute": ["uid"],
            "rdnLDAPAttribute": ["uid"],
            "uuidLDAPAttribute": ["entryUUID"],
            "userObjectClasses": ["inetOrgPerson"],
            "editMode": ["READ_ONLY"],
            "importEnabled": ["true"],
            "syncRegistrations": ["false"],
            "searchScope": ["1"],
            "pagination": ["true"],
            "batchSizeForSync": ["1000"],
            "authType": ["simple"],
            "enabled": ["true"],
            "trustEmail": ["true"],
        }
        resp = kc.post(
            "/components",
            {
                "name": "simpeg-ldap",
                "providerId": "ldap",
                "providerType": "org.keycloak.storage.UserStorageProvider",
                "parentId": realm_id,
                "config": config,
            },
        )
        component = kc.created_id(resp)
        started = time.monotonic()
        result = kc.post(
            f"/user-storage/{component}/sync", params={"action": "triggerFullSync"}, timeout=7200
        ).json()
        seconds = time.monotonic() - started
        kc.close()
        return Row(
            "Keycloak LDAP full sync",
            len(people),
            seconds,
            0,
            0,
            f"sample of {len(people)}; Keycloak says {result.get('status') or result}; no group/role "
            "mapping configured (the sync does both)",
        )
    finally:
        slapd.stop()


def one_percent(path: Path, n: int) -> dict[str, int]:
    from sync.demo_data import apply_changes

    k = max(1, n // 100)
    changes = apply_changes(
        path, movers=k // 2, leavers=k // 4, joiners=k - k // 2 - k // 4, renames=3, seed=5
    )
    return {kind: len(v) for kind, v in changes.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pegawai", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--baseline-sample", type=int, default=500)
    ap.add_argument("--ldap-sample", type=int, default=None, help="default: everyone")
    ap.add_argument("--skip-ldap", action="store_true")
    ap.add_argument("--skip-python-keycloak", action="store_true")
    args = ap.parse_args()

    from sync.demo_data import generate

    conn = connection()
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    db = work / "simpeg.sqlite"
    generate(db, args.pegawai, args.seed)
    config = default_config(db)
    t0 = time.monotonic()
    hr = load_snapshot(config)
    print(
        f"loaded {len(hr.units)} units, {len(hr.jabatan)} jabatan, {len(hr.pegawai)} pegawai "
        f"({len(hr.quarantine)} quarantined) in {time.monotonic() - t0:.1f} s",
        flush=True,
    )
    active = sum(1 for p in hr.pegawai.values() if not p.status.is_leaver)

    rows: list[Row] = []
    kc = fresh_realm(conn, "t-sync-bench")
    log = RunLog(work / "runlog.sqlite")
    rows.append(our_sync(kc, hr, log, "our initial full sync", active))
    print(rows[-1], flush=True)
    rows.append(our_sync(kc, hr, log, "our no-op re-sync", active))
    print(rows[-1], flush=True)
    changed = one_percent(db, args.pegawai)
    hr2 = load_snapshot(config)
    rows.append(our_sync(kc, hr2, log, "our 1%-changed re-sync", active))
    rows[-1].note += f" (source changes: {changed})"
    print(rows[-1], flush=True)
    # A second no-op: the first one follows the bulk import while Keycloak is still busy
    # (caches, GC), so both are shown.
    rows.append(our_sync(kc, hr2, log, "our no-op re-sync #2", active))
    print(rows[-1], flush=True)
    our_rss = peak_rss_mb()
    kc.close()
    if not args.skip_python_keycloak:
        rows.append(python_keycloak_loop(conn, hr, args.baseline_sample))
        print(rows[-1], flush=True)
    if not args.skip_ldap:
        rows.append(ldap_federation(conn, hr, args.ldap_sample or len(hr.pegawai)))
        print(rows[-1], flush=True)

    print(f"\nHR sync benchmark: {args.pegawai} pegawai ({active} active), Keycloak at {conn.server_url}")
    print(f"{'scenario':28} {'users':>7} {'seconds':>9} {'users/s':>9} {'writes':>8} {'reads':>7}  note")
    for r in rows:
        print(f"{r.name:28} {r.users:7d} {r.seconds:9.1f} {r.rate:9.1f} {r.writes:8d} {r.reads:7d}  {r.note}")
    initial = rows[0]
    for r in rows[4:]:
        if r.rate:
            print(f"initial sync vs {r.name}: {initial.rate / r.rate:.1f}x users/s")
    print(
        f"no-op re-sync: {rows[1].writes} writes, {rows[1].seconds / initial.seconds:.1%} of the initial time"
    )
    print(f"peak RSS of the sync process (through our runs): {our_rss:.0f} MB")


if __name__ == "__main__":
    main()
