"""Benchmark the HR sync on a real Keycloak (not a timed test).

    .venv/bin/python bench/bench_sync.py                 # 10,000 pegawai, test instance
    .venv/bin/python bench/bench_sync.py --fresh-h2      # on a new dev-file database
    .venv/bin/python bench/bench_sync.py --postgres      # on a new PostgreSQL
    .venv/bin/python bench/bench_sync.py --pegawai 100000
    .venv/bin/python bench/bench_sync.py --baseline-sample 500 --ldap-sample 2000

Scenarios, each in a fresh realm ``t-sync-bench*`` carrying the banten declarations:
1. our initial full sync of the generated province (SQLite SIMPEG stand-in -> loader -> plan -> apply);
   baselines on the same people: a python-keycloak loop (create user, add to group, grant
   roles, one user at a time) and Keycloak's own LDAP federation full sync from slapd;
2. a re-sync with nothing changed; 3. re-syncs with 1% and 0.1% of the people changed (all as
   `satulogin sync apply` runs them: incremental, with the run-log cache), and the same no-op
   read in full (`--full`, the nightly reconciliation). The LDAP baseline runs three times:
   bare users; with the same names, e-mail and nine profile attributes through attribute
   mappers; and with our end state, those attributes plus the unit groups and jabatan roles
   with each person's membership and grant (group and role mappers, see ``LDAP_VARIANTS``).
Our initial sync and the LDAP import are compared in ``--rounds`` rounds (default 2), each
reported with its own ratio: one round on a just-started Keycloak measures its JIT as much as
either import. The other scenarios run once, on the last round's realm.
The baselines can run on a sample (``--baseline-sample``, ``--ldap-sample``) and are then
extrapolated as users/s; the report says so. Prints users/s, write requests, peak RSS.

Keycloak: $KEYCLOAK_URL + $KEYCLOAK_ADMIN_PASSWORD, else the local ``test`` instance (port 18080)
on its dev-file H2 database, whatever earlier runs left in it; ``--fresh-h2`` starts the
instance ``bench-dev-file`` (port 18100) on a new dev-file database instead, and ``--postgres``
the instance ``bench-postgres`` on a throwaway PostgreSQL, Keycloak's production database.
Both are stopped and their database removed at the end.
At 100,000 start from an empty instance: each scenario first deletes its realm, and deleting a
realm of 100,000 users outlasts Keycloak's 300 s transaction limit on the dev-file (H2)
database, which then closed the database in one of our runs.
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from satulogin.kc_admin import AdminConnection, KeycloakAdmin, server_connection  # noqa: E402
from satulogin.keycloak_server import KeycloakServer, ServerConfig  # noqa: E402
from sync.apply import ApplyOptions, apply_plan  # noqa: E402
from sync.config import SyncConfig, default_config  # noqa: E402
from sync.desired import DesiredState, DesiredUser, desired_state  # noqa: E402
from sync.incremental import SyncCache  # noqa: E402
from sync.loader import load_snapshot  # noqa: E402
from sync.model import Pegawai  # noqa: E402
from sync.plan import make_plan  # noqa: E402
from sync.runlog import RunLog  # noqa: E402
from sync.safety import SafetyLimits  # noqa: E402
from sync.snapshot import HrSnapshot  # noqa: E402

if TYPE_CHECKING:
    from tests.fixtures.hr_sources_ldap import SlapdServer


@dataclass
class Row:
    name: str
    users: int
    seconds: float
    writes: int
    reads: int
    note: str = ""
    phases: dict[str, float] = field(default_factory=dict)
    round_no: int = 0  # the head-to-head round it belongs to; 0: runs once
    # CPU seconds spent while it ran: "keycloak" (its whole process group, when it runs on
    # this machine), and the other side: "sync" (this process) or "slapd".
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.users / self.seconds if self.seconds else 0.0


# Keycloak's pid file by server URL, for the CPU figures (a Keycloak we started or the test one).
KEYCLOAK_PID_FILES: dict[str, Path] = {}


def process_cpu_s(pid: int | None = None, *, group: bool = False) -> float:
    """User + system CPU seconds of a live process (or of every live process in its process
    group: Keycloak runs as kc.sh and its java child), from /proc. 0.0 when it is gone."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    paths = Path("/proc").glob("[0-9]*/stat") if group else [Path(f"/proc/{pid}/stat")]
    for stat in paths:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the name: state ppid pgrp ... utime (11th) stime (12th).
        if group and int(fields[2]) != pid:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def keycloak_cpu_s(conn: AdminConnection) -> float | None:
    pid_file = KEYCLOAK_PID_FILES.get(conn.server_url)
    if pid_file is None or not pid_file.exists():
        return None
    return process_cpu_s(int(pid_file.read_text().strip()), group=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def connection() -> AdminConnection:
    if os.environ.get("KEYCLOAK_URL"):
        return AdminConnection.from_env()
    port = int(os.environ.get("SATULOGIN_TEST_KC_PORT", "18080"))
    server = KeycloakServer(ServerConfig(instance="test", http_port=port, management_port=port + 1000))
    conn = server_connection(server)
    KEYCLOAK_PID_FILES[conn.server_url] = server.pid_file
    return conn


@contextmanager
def throwaway_keycloak(db: str, port: int) -> Iterator[AdminConnection]:
    """A Keycloak instance of our own for this run, with our extension, on a database nobody
    has used before, removed afterwards:

    - ``postgres``: a throwaway PostgreSQL (as the tests start it, but durable: fsync on),
      Keycloak's production database;
    - ``dev-file``: a new dev-file H2 database. The test instance's H2 file only grows (H2
      reuses little of the space a deleted realm leaves), and at 3 GB every write there cost
      more than on a new file, so figures from it depend on what ran before."""
    from tests.fixtures.hr_sources import PostgresServer

    root = Path(tempfile.mkdtemp(prefix=f"bench-{db}-"))
    pg: PostgresServer | None = None
    server: KeycloakServer | None = None
    config = ServerConfig(instance=f"bench-{db}", http_port=port, management_port=port + 1000, db=db)
    try:
        if db == "postgres":
            if shutil.which("initdb") is None:
                bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
                if not bins:
                    raise SystemExit("--postgres needs PostgreSQL's server programs (Debian: postgresql)")
                os.environ["PATH"] = f"{bins[-1]}:{os.environ['PATH']}"
            pg = PostgresServer(root, settings=("fsync=on", "synchronous_commit=on", "shared_buffers=256MB",
                                                "max_connections=200"))
            pg.start()
            password = secrets.token_urlsafe(18)
            pg.create_database("keycloak", "keycloak", password)
            os.environ["KC_DB_PASSWORD"] = password
            config = replace(config, db_url=f"jdbc:postgresql://127.0.0.1:{pg.port}/keycloak",
                             db_username="keycloak")
        server = KeycloakServer(config)
        server.stop()  # one a crashed earlier run left behind
        shutil.rmtree(server.home / "data", ignore_errors=True)
        server.ensure_running()
        conn = server_connection(server)
        KEYCLOAK_PID_FILES[conn.server_url] = server.pid_file
        yield conn
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.home / "data", ignore_errors=True)
        if pg is not None:
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


SETTLE_S = 5.0


def fresh_realm(conn: AdminConnection, name: str) -> KeycloakAdmin:
    from realm import apply_realm
    from realm.loader import DEFAULT_DIR
    from tests.fixtures.realm import ensure_test_secrets

    kc = KeycloakAdmin(conn, name, pool_size=32)
    kc.request("DELETE", "", ok=(404,), timeout=600)
    ensure_test_secrets()
    apply_realm(kc, DEFAULT_DIR, realm_name=name)
    # Deleting the previous run's realm (10,000 people) leaves the dev-file database writing
    # its pages out in the background for a few seconds; every scenario starts after that
    # settles, so none pays for another's clean-up.
    time.sleep(SETTLE_S)
    return kc


def our_sync(
    kc: KeycloakAdmin,
    hr: HrSnapshot,
    log: RunLog,
    label: str,
    users: int,
    *,
    full: bool = False,
    use_extension: bool | None = None,
    round_no: int = 0,
) -> Row:
    """One plan + apply as `satulogin sync apply` runs it: with the run-log cache, so a re-sync
    is incremental unless ``full``."""
    reads0, writes0 = kc.counter.snapshot()
    kc_cpu0, cpu0 = keycloak_cpu_s(kc.conn), time.process_time()
    started = time.monotonic()
    cache = SyncCache(log.path)
    try:
        plan, state = make_plan(kc, hr, runlog=log, cache=cache, full=full)
    finally:
        cache.close()
    result = apply_plan(
        kc,
        plan,
        state,
        log,
        options=ApplyOptions(progress=sys.stderr.isatty(), use_extension=use_extension),
        limits=SafetyLimits(allow_shrink=True),
    )
    seconds = time.monotonic() - started
    cpu = {"sync": time.process_time() - cpu0}
    kc_cpu1 = keycloak_cpu_s(kc.conn)
    if kc_cpu0 is not None and kc_cpu1 is not None:
        cpu["keycloak"] = kc_cpu1 - kc_cpu0
    reads1, writes1 = kc.counter.snapshot()
    counts = plan.counts().get("user", {})
    note = ", ".join(f"{a} {n}" for a, n in counts.items()) + (
        f"; FAILED {result.failed}" if result.failed else ""
    )
    if plan.scope is not None:
        note += f" [{plan.scope.mode}: {plan.scope.users_read} users read]"
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in result.phases.items() if v >= 0.05)
    note += f" via {result.via}; phases {phases}"
    return Row(label, users, seconds, writes1 - writes0, reads1 - reads0, note, dict(result.phases), round_no,
               cpu)


def re_syncs(kc: KeycloakAdmin, log: RunLog, db: Path, config: SyncConfig, args: argparse.Namespace,
             active: int) -> list[Row]:
    """On the realm an initial sync just filled: a no-op; 1% of the people changed in the
    source (with three unit renames, which also rename their members' unit); a no-op again;
    0.1% changed (people alone), to show the cost follows the change; and (unless skipped) the
    no-op read in full."""
    rows: list[Row] = []

    def sync(label: str, *, full: bool = False, note: str = "") -> None:
        rows.append(our_sync(kc, load_snapshot(config), log, label, active, full=full))
        rows[-1].note += note
        print(rows[-1], flush=True)

    def changed(share: float, renames: int, seed: int) -> str:
        return f" (source changes: {change_share(db, args.pegawai, share, renames=renames, seed=seed)})"

    sync("our no-op re-sync")
    sync("our 1%-changed re-sync", note=changed(0.01, 3, 5))
    sync("our no-op re-sync #2")
    sync("our 0.1%-changed re-sync", note=changed(0.001, 0, 6))
    # The same no-op read in full (`--full`, the nightly reconciliation): every user listed.
    if not args.skip_full_noop:
        sync("our no-op, --full", full=True)
    return rows


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


# Keycloak user attribute (as our sync writes it) -> the LDAP attribute that carries it in the
# "with attributes" baseline. inetOrgPerson / organizationalPerson / person attributes where one
# fits; organizationalStatus and info are cosine attributes that inetOrgPerson does not allow,
# so those entries also carry slapd's built-in extensibleObject auxiliary class.
LDAP_PROFILE_ATTRS: dict[str, str] = {
    "nip": "employeeNumber",
    "golongan": "employeeType",
    "jabatan_kode": "description",
    "jabatan_nama": "title",
    "jenis_jabatan": "businessCategory",
    "eselon": "info",
    "status_pegawai": "organizationalStatus",
    "unit_kode": "departmentNumber",
    "unit_nama": "ou",
}
LDAP_MAPPER_TYPE = "org.keycloak.storage.ldap.mappers.LDAPStorageMapper"


def _ldif_line(attr: str, value: str) -> str:
    """One LDIF attribute line; base64 (``attr::``) unless the value is an RFC 2849 SAFE-STRING."""
    safe = (
        value.isascii()
        and not any(c in value for c in "\0\n\r")
        and not value.startswith((" ", ":", "<"))
        and not value.endswith(" ")
    )
    if safe:
        return f"{attr}: {value}\n"
    return f"{attr}:: {base64.b64encode(value.encode()).decode()}\n"


def _ldap_bare_entry(base_dn: str, p: Pegawai) -> str:
    """The bare person (as the baseline always loaded it): uid, cn, sn, givenName, mail, employeeNumber."""
    cn = " ".join(p.nama.split()) or p.nip
    return (
        f"dn: uid={p.nip},ou=people,{base_dn}\nobjectClass: inetOrgPerson\nuid: {p.nip}\n"
        + _ldif_line("cn", cn)
        + _ldif_line("sn", cn.split()[-1])
        + _ldif_line("givenName", cn.split()[0])
        + f"employeeNumber: {p.nip}\n"
        + (_ldif_line("mail", p.email) if p.email else "")
        + "\n"
    )


def _ldap_profile_entry(base_dn: str, u: DesiredUser) -> str:
    """The person with the same names, email and profile attribute values our sync writes."""
    cn = u.first_name if u.first_name == u.last_name else f"{u.first_name} {u.last_name}"
    lines = [
        f"dn: uid={u.username},ou=people,{base_dn}\n",
        "objectClass: inetOrgPerson\n",
        "objectClass: extensibleObject\n",
        f"uid: {u.username}\n",
        _ldif_line("cn", cn),
        _ldif_line("givenName", u.first_name),
        _ldif_line("sn", u.last_name),
    ]
    if u.email:
        lines.append(_ldif_line("mail", u.email))
    for name, values in u.attributes.items():
        if name not in LDAP_PROFILE_ATTRS:
            raise RuntimeError(f"no LDAP attribute for the user attribute {name!r}")
        lines.extend(_ldif_line(LDAP_PROFILE_ATTRS[name], v) for v in values)
    return "".join(lines) + "\n"


def _ldap_component(kc: KeycloakAdmin, slapd: SlapdServer) -> str:
    """A read-only, importing LDAP user federation in the realm; Keycloak adds its default mappers
    (username, first name = cn, last name = sn, email = mail, create/modify dates)."""
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
        # Keycloak's default; 100 made no difference to either import with attributes (17.7
        # against 17.8 s, 80.4 against 81.3 s with memberships).
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
    return kc.created_id(resp)


def _ldap_profile_mappers(kc: KeycloakAdmin, component: str) -> None:
    """First name from givenName (Keycloak's default for OpenLDAP maps cn) and one
    user-attribute-ldap-mapper per profile attribute, imported into the same attribute names."""
    defaults = kc.get("/components", params={"parent": component, "type": LDAP_MAPPER_TYPE}) or []
    first = [m for m in defaults if m.get("config", {}).get("user.model.attribute") == ["firstName"]]
    if len(first) != 1:
        raise RuntimeError(f"expected one firstName mapper on the LDAP component, got {first}")
    first[0]["config"]["ldap.attribute"] = ["givenName"]
    kc.put(f"/components/{first[0]['id']}", first[0])
    for name, ldap_attr in LDAP_PROFILE_ATTRS.items():
        kc.post(
            "/components",
            {
                "name": f"attr {name}",
                "providerId": "user-attribute-ldap-mapper",
                "providerType": LDAP_MAPPER_TYPE,
                "parentId": component,
                "config": {
                    "ldap.attribute": [ldap_attr],
                    "user.model.attribute": [name],
                    "read.only": ["true"],
                    "always.read.value.from.ldap": ["false"],
                    "is.mandatory.in.ldap": ["false"],
                },
            },
        )


def _ldap_spot_check(kc: KeycloakAdmin, users: list[DesiredUser], with_attributes: bool) -> str:
    """Read a few imported users back; raise if one is missing or (with attributes) differs from
    what our sync would have written. Returns a short note."""
    picks = {0: users[0], len(users) - 1: users[-1], len(users) // 2: users[len(users) // 2]}
    with_eselon = next((u for u in users if "eselon" in u.attributes), None)
    if with_eselon is not None:
        picks[-1] = with_eselon
    problems: list[str] = []
    seen_attrs = 0
    for u in picks.values():
        found = (
            kc.get("/users", params={"username": u.username, "exact": "true", "briefRepresentation": "false"})
            or []
        )
        if len(found) != 1:
            problems.append(f"{u.username}: {len(found)} users found")
            continue
        rep = found[0]
        attrs: dict[str, list[str]] = rep.get("attributes") or {}
        profile = {k: v for k, v in attrs.items() if k in LDAP_PROFILE_ATTRS}
        seen_attrs += len(profile)
        if not with_attributes:
            continue
        want: dict[str, Any] = {"firstName": u.first_name, "lastName": u.last_name, "email": u.email}
        for key, value in want.items():
            if rep.get(key) != value:
                problems.append(f"{u.username}: {key} {rep.get(key)!r} != {value!r}")
        if profile != u.attributes:
            problems.append(f"{u.username}: attributes {profile} != {u.attributes}")
    if problems:
        raise RuntimeError("LDAP baseline did not import what it should: " + "; ".join(problems))
    if with_attributes:
        return (
            f"checked {len(picks)} users: names, email and {seen_attrs} profile attributes "
            "equal to what our sync writes"
        )
    return f"checked {len(picks)} users present ({seen_attrs} profile attributes, none expected)"


# Keycloak's LDAP import in three variants, each doing more of what our sync does:
LDAP_VARIANTS: dict[str, str] = {
    "bare": "uid/cn/sn/givenName/mail/employeeNumber, no attribute mappers; no group/role mapping",
    "attrs": f"names with gelar, email and {len(LDAP_PROFILE_ATTRS)} attribute mappers; "
    "no group/role mapping",
    # The same end state as our sync's: every person also in their unit's group and holding their
    # jabatan's realm role. Of the mappers' choices, the ones that cost Keycloak least: flat
    # groups (preserving the unit tree makes Keycloak scan every group for each membership it
    # imports), groups looked up by an indexed ``member``, and no role attributes (ours
    # writes five per jabatan).
    "memberships": "as attrs, plus unit groups and jabatan roles with each person's membership "
    "and grant (group-ldap-mapper and role-ldap-mapper, IMPORT mode, flat groups): our end state",
}
# slapd's equality indexes: Debian's defaults (objectClass, cn, uid) and what the baseline's
# searches filter on (groups by member: about 2.5 ms a search without the member and
# objectClass indexes, mostly slapd's CPU, against under 1 ms with them).
LDAP_INDEXES = ("objectClass", "cn", "uid", "employeeNumber", "member")
EMPTY_MEMBER = "cn=empty-membership-placeholder"  # groupOfNames needs a member; Keycloak skips this one


def _ldap_group_entry(dn: str, cn: str, description: str, member_dns: list[str]) -> str:
    return (
        f"dn: {dn}\nobjectClass: groupOfNames\ncn: {cn}\n"
        + _ldif_line("description", description)
        + "".join(f"member: {m}\n" for m in (member_dns or [EMPTY_MEMBER]))
        + "\n"
    )


def _ldap_membership_entries(base_dn: str, users: list[DesiredUser], desired: DesiredState) -> list[str]:
    """``ou=units`` with a groupOfNames per unit (cn = kunker) and ``ou=jabatan`` with one per
    jabatan role (cn = role name), each listing its people's DNs."""
    by_unit: dict[str, list[str]] = {}
    by_role: dict[str, list[str]] = {}
    for u in users:
        dn = f"uid={u.username},ou=people,{base_dn}"
        by_unit.setdefault(u.unit_kode, []).append(dn)
        by_role.setdefault(u.role, []).append(dn)
    out = [
        f"dn: ou={ou},{base_dn}\nobjectClass: organizationalUnit\nou: {ou}\n\n" for ou in ("units", "jabatan")
    ]
    out += [
        _ldap_group_entry(f"cn={k},ou=units,{base_dn}", k, g.name, by_unit.get(k, []))
        for k, g in desired.groups.items()
    ]
    out += [
        _ldap_group_entry(f"cn={name},ou=jabatan,{base_dn}", name, r.description, by_role.get(name, []))
        for name, r in desired.roles.items()
    ]
    return out


def _ldap_membership_mappers(kc: KeycloakAdmin, component: str, base_dn: str) -> None:
    """A group-ldap-mapper for the units and a role-ldap-mapper for the jabatan, both importing
    (IMPORT mode: memberships and grants written into Keycloak's database as a user is imported)."""
    common = {
        "membership.ldap.attribute": ["member"],
        "membership.attribute.type": ["DN"],
        "membership.user.ldap.attribute": ["uid"],
        "mode": ["IMPORT"],
    }
    configs = {
        "groups": ("group-ldap-mapper", {
            "groups.dn": [f"ou=units,{base_dn}"],
            "group.name.ldap.attribute": ["cn"],
            "group.object.classes": ["groupOfNames"],
            "preserve.group.inheritance": ["false"],
            "ignore.missing.groups": ["false"],
            "user.roles.retrieve.strategy": ["LOAD_GROUPS_BY_MEMBER_ATTRIBUTE"],
            "mapped.group.attributes": ["description"],
            "drop.non.existing.groups.during.sync": ["false"],
            "groups.path": ["/"],
        }),
        "roles": ("role-ldap-mapper", {
            "roles.dn": [f"ou=jabatan,{base_dn}"],
            "role.name.ldap.attribute": ["cn"],
            "role.object.classes": ["groupOfNames"],
            "user.roles.retrieve.strategy": ["LOAD_ROLES_BY_MEMBER_ATTRIBUTE"],
            "use.realm.roles.mapping": ["true"],
        }),
    }
    for kind, (provider, config) in configs.items():
        kc.post(
            "/components",
            {
                "name": f"{kind} mapper",
                "providerId": provider,
                "providerType": LDAP_MAPPER_TYPE,
                "parentId": component,
                "config": {**common, **config},
            },
        )


def _ldap_membership_check(kc: KeycloakAdmin, users: list[DesiredUser], desired: DesiredState) -> str:
    """Raise unless every unit became a group and a few imported users sit in their unit's group
    and hold their jabatan role."""
    problems: list[str] = []
    groups_made = kc.get("/groups/count")["count"]
    if groups_made != len(desired.groups):
        problems.append(f"{groups_made} groups made, {len(desired.groups)} units")
    picks = [users[0], users[len(users) // 2], users[-1]]
    for u in picks:
        found = kc.get("/users", params={"username": u.username, "exact": "true"}) or []
        if len(found) != 1:
            problems.append(f"{u.username}: {len(found)} users found")
            continue
        uid = found[0]["id"]
        groups = [g["name"] for g in kc.get(f"/users/{uid}/groups") or []]
        roles = [r["name"] for r in kc.get(f"/users/{uid}/role-mappings/realm") or []]
        if groups != [u.unit_kode]:
            problems.append(f"{u.username}: groups {groups} != [{u.unit_kode}]")
        if u.role not in roles:
            problems.append(f"{u.username}: role {u.role} not in {roles}")
    if problems:
        raise RuntimeError("LDAP baseline did not import the memberships: " + "; ".join(problems))
    return f"{groups_made} unit groups; {len(picks)} users in their unit group with their jabatan role"


def _ldap_variant(
    conn: AdminConnection,
    realm: str,
    label: str,
    people: list[Pegawai],
    users: list[DesiredUser],
    variant: str,
    desired: DesiredState,
) -> Row:
    """Load the people into a fresh slapd, federate it into a fresh realm and time Keycloak's
    triggerFullSync (only the sync is timed)."""
    from tests.fixtures.hr_sources_ldap import SlapdServer

    with_attributes = variant != "bare"
    root = Path(tempfile.mkdtemp(prefix="bench-slapd-"))
    slapd = SlapdServer(root, indexes=LDAP_INDEXES)
    slapd.start()
    try:
        if with_attributes:
            entries = [_ldap_profile_entry(slapd.base_dn, u) for u in users]
        else:
            entries = [_ldap_bare_entry(slapd.base_dn, p) for p in people]
        if variant == "memberships":
            entries += _ldap_membership_entries(slapd.base_dn, users, desired)
        for i in range(0, len(entries), 1000):
            slapd.add("".join(entries[i : i + 1000]))
        kc = fresh_realm(conn, realm)
        try:
            component = _ldap_component(kc, slapd)
            if with_attributes:
                _ldap_profile_mappers(kc, component)
            if variant == "memberships":
                _ldap_membership_mappers(kc, component, slapd.base_dn)
            slapd_pid = int((root / "slapd.pid").read_text().strip())
            kc_cpu0, slapd_cpu0 = keycloak_cpu_s(conn), process_cpu_s(slapd_pid)
            # One request does it all: Keycloak's full sync first runs each mapper's own sync
            # (the units' groups and the jabatan roles made from LDAP), then imports the users,
            # and the IMPORT-mode mappers write each new user's membership and grant.
            started = time.monotonic()
            result = kc.post(
                f"/user-storage/{component}/sync", params={"action": "triggerFullSync"}, timeout=7200
            ).json()
            seconds = time.monotonic() - started
            cpu = {"slapd": process_cpu_s(slapd_pid) - slapd_cpu0}
            kc_cpu1 = keycloak_cpu_s(conn)
            if kc_cpu0 is not None and kc_cpu1 is not None:
                cpu["keycloak"] = kc_cpu1 - kc_cpu0
            if result.get("ignored") or result.get("failed") or result.get("added") != len(users):
                raise RuntimeError(f"{label}: expected {len(users)} users added, Keycloak says {result}")
            checked = _ldap_spot_check(kc, users, with_attributes)
            if variant == "memberships":
                checked += "; " + _ldap_membership_check(kc, users, desired)
        finally:
            kc.close()
    finally:
        slapd.stop()
        shutil.rmtree(root, ignore_errors=True)
    return Row(
        label,
        len(users),
        seconds,
        0,
        0,
        f"sample of {len(users)}; {LDAP_VARIANTS[variant]}; Keycloak says {result.get('status')}; {checked}",
        cpu=cpu,
    )


def ldap_federation(conn: AdminConnection, hr: HrSnapshot, sample: int, tag: str = "", *,
                    warm_up: bool = True) -> list[Row]:
    """Keycloak's LDAP federation full sync of the same people loaded into a slapd we start, in
    three variants (:data:`LDAP_VARIANTS`), each in its own realm and slapd."""
    people = [p for p in hr.pegawai.values() if not p.status.is_leaver][:sample]
    desired = desired_state(hr)
    users = [desired.users[p.nip] for p in people]
    # Warm-up, not timed, as for our sync: Keycloak's LDAP import code runs interpreted (JIT)
    # the first time, which would count against whichever variant comes first.
    if warm_up:
        warm = min(1000, len(people))
        _ldap_variant(conn, "t-sync-bench-ldap-warmup", "warm-up", people[:warm], users[:warm],
                      "memberships", desired)
    return [
        _ldap_variant(conn, f"t-sync-bench-ldap-{variant}", f"Keycloak LDAP sync, {variant}{tag}",
                      people, users, variant, desired)
        for variant in LDAP_VARIANTS
    ]


def change_share(path: Path, n: int, share: float, *, renames: int, seed: int) -> dict[str, int]:
    """Play HR on the source: ``share`` of ``n`` people change (half movers, a quarter leavers,
    the rest joiners), plus ``renames`` unit renames (each also renames its members' unit)."""
    from sync.demo_data import apply_changes

    k = max(1, round(n * share))
    changes = apply_changes(
        path, movers=k // 2, leavers=k // 4, joiners=k - k // 2 - k // 4, renames=renames, seed=seed
    )
    return {kind: len(v) for kind, v in changes.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pegawai", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--baseline-sample", type=int, default=500)
    ap.add_argument("--ldap-sample", type=int, default=None, help="default: everyone")
    ap.add_argument("--rounds", type=int, default=2,
                    help="head-to-head rounds of our initial sync and the LDAP import (default 2)")
    ap.add_argument("--skip-ldap", action="store_true")
    ap.add_argument("--skip-python-keycloak", action="store_true")
    ap.add_argument("--skip-full-noop", action="store_true", help="skip the --full no-op (slow at 100,000)")
    ap.add_argument("--postgres", action="store_true",
                    help="run everything on a Keycloak with PostgreSQL (started here) instead of the "
                         "test instance's dev-file H2")
    ap.add_argument("--fresh-h2", action="store_true",
                    help="run everything on a Keycloak instance started here on a new dev-file H2 database "
                         "(removed afterwards) instead of the test instance's")
    ap.add_argument("--skip-plain", action="store_true",
                    help="skip our initial sync without the Keycloak extension (plain Admin REST API)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be 1 or more")

    if args.postgres and args.fresh_h2:
        ap.error("--postgres and --fresh-h2 exclude each other")
    db = "postgres" if args.postgres else "dev-file" if args.fresh_h2 else None
    with throwaway_keycloak(db, 18100) if db else nullcontext(connection()) as conn:
        run(args, conn)


def run(args: argparse.Namespace, conn: AdminConnection) -> None:
    from sync.demo_data import generate

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

    # Warm-up, not timed: a just-started Keycloak runs its first thousands of requests
    # interpreted (JIT), which would count against whichever scenario comes first (ours).
    warm = fresh_realm(conn, "t-sync-bench-warmup")
    warm_hr = HrSnapshot(
        units=hr.units,
        jabatan=hr.jabatan,
        pegawai=dict(list(hr.pegawai.items())[:1000]),
        source_counts={"pegawai": 1000},
    )
    our_sync(warm, warm_hr, RunLog(work / "warmup.sqlite"), "warm-up", 1000)
    warm.close()

    # The head-to-head (our initial sync, then Keycloak's LDAP import) runs in rounds: 1,000
    # people of warm-up leave both paths far from warm (on a just-started Keycloak our first
    # initial sync took twice as long as the third), so one round alone says more about the
    # JIT than about either import. Each round is reported; the re-syncs run on the last.
    rows: list[Row] = []
    our_rss = 0.0
    for k in range(1, args.rounds + 1):
        tag = f" #{k}" if args.rounds > 1 else ""
        kc = fresh_realm(conn, "t-sync-bench")
        log = RunLog(work / f"runlog-{k}.sqlite")
        rows.append(our_sync(kc, hr, log, "our initial full sync" + tag, active, round_no=k))
        print(rows[-1], flush=True)
        if k == args.rounds:
            rows.extend(re_syncs(kc, log, db, config, args, active))
            our_rss = peak_rss_mb()
        kc.close()
        if not args.skip_ldap:
            for row in ldap_federation(conn, hr, args.ldap_sample or len(hr.pegawai), tag, warm_up=k == 1):
                row.round_no = k
                rows.append(row)
                print(row, flush=True)
    if not args.skip_plain:
        plain = fresh_realm(conn, "t-sync-bench-plain")
        rows.append(our_sync(plain, hr, RunLog(work / "plain.sqlite"), "no-extension initial sync", active,
                             use_extension=False))
        print(rows[-1], flush=True)
        plain.close()
    if not args.skip_python_keycloak:
        rows.append(python_keycloak_loop(conn, hr, args.baseline_sample))
        print(rows[-1], flush=True)

    print(f"\nHR sync benchmark: {args.pegawai} pegawai ({active} active), Keycloak at {conn.server_url}")
    print(f"{'scenario':28} {'users':>7} {'seconds':>9} {'users/s':>9} {'writes':>8} {'reads':>7}  note")
    for r in rows:
        print(f"{r.name:28} {r.users:7d} {r.seconds:9.1f} {r.rate:9.1f} {r.writes:8d} {r.reads:7d}  {r.note}")
    initials = {r.round_no: r for r in rows if r.name.startswith("our initial")}
    last = initials[args.rounds]
    by_baseline: dict[str, list[float]] = {}
    for r in rows:
        if r.name.startswith("our") or not r.rate:
            continue
        initial = initials.get(r.round_no, last)
        joiners_s = initial.phases.get("joiners", 0.0)
        ratio = initial.rate / r.rate
        by_baseline.setdefault(r.name.split(" #")[0], []).append(ratio)
        print(f"{initial.name} vs {r.name}: {ratio:.1f}x users/s", end="")
        if joiners_s:
            print(
                f"; the user phase alone ({initial.users / joiners_s:.0f}/s): "
                f"{initial.users / joiners_s / r.rate:.1f}x",
                end="",
            )
        print()
    for name, ratios in by_baseline.items():
        if len(ratios) > 1:
            print(f"initial sync vs {name} over {len(ratios)} rounds: "
                  f"{min(ratios):.1f}-{max(ratios):.1f}x (last round {ratios[-1]:.1f}x)")
    for r in rows:
        if r.name.startswith("our") and not r.name.startswith("our initial"):
            print(f"{r.name}: {r.writes} writes, {r.seconds / last.seconds:.1%} of the initial time "
                  f"({last.name})")
    # Where the time went: CPU seconds per 1,000 people of Keycloak (its whole process) and of
    # the other side, and how many of the machine's cores were busy on average.
    cores = os.cpu_count() or 1
    for r in rows:
        if r.cpu and r.users and (r.round_no or r.name.startswith("no-extension")):
            per_k = ", ".join(f"{k} {v / r.users * 1000:.2f} s" for k, v in sorted(r.cpu.items()))
            busy = sum(r.cpu.values()) / r.seconds if r.seconds else 0.0
            print(f"CPU per 1,000 people, {r.name}: {per_k} (busy {busy:.1f} of {cores} cores)")
    print(f"peak RSS of the sync process (through our runs): {our_rss:.0f} MB")


if __name__ == "__main__":
    main()
