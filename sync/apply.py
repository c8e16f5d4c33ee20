"""Execute a :class:`SyncPlan`: groups (parents first), roles, new users in bulk, then the
changes to existing accounts. Every object's outcome goes to the run log; an error on one
object is recorded against it and the run goes on.

New groups, roles and users, and the changes to existing accounts, go through our Keycloak
extension's bulk endpoints when the server has it (:mod:`sync.bulk`), else through the plain
Admin REST API (``partialImport`` for users, one request per group or role, a few per
changed account on a thread pool).

Why it is safe to kill and rerun: every step is idempotent or keyed (groups on ``kunker``,
roles on name, users on username); new users arrive in transactions that hold each user with
its group and roles (``partialImport`` with ``ifResourceExists=SKIP``, or the extension, which
skips what exists); a changed account is written in one transaction by the extension, and
through the Admin REST API its attributes are written *after* its group and role switch, so
an interrupted switch is planned again.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from satulogin.errors import SatuLoginError
from satulogin.kc_admin import KeycloakAdmin

from . import bulk
from .desired import MANAGED_ATTR, MANAGED_VALUE, DesiredGroup, DesiredRole, DesiredUser, no_cycle_collection
from .keycloak_state import KeycloakState, read_roles
from .plan import Change, SyncPlan
from .progress import Progress
from .runlog import NOT_BY_SYNC, RunLog
from .safety import SafetyLimits, check

ALREADY_THERE = "sudah ada (run sebelumnya terputus) / already there (an earlier run was cut short)"


@dataclass(frozen=True)
class ApplyOptions:
    workers: int = 8
    # Users per partialImport request, and requests in flight. Keycloak flushes its session
    # after every user it imports, so its cost per user grows with the batch (one
    # transaction); small batches side by side use both cores. Measured on an idle 2-core
    # machine with 9 profile attributes per user: 50 a batch alone gave 139 users/s, 20 alone
    # 217, 20 two at a time 298, 10 four at a time 333 (250 a batch alone: 59).
    batch_size: int = 20
    import_workers: int = 2
    import_timeout_s: float = 600.0  # Keycloak's own transaction limit is 300 s
    # With our Keycloak extension (sync/bulk.py): users per request (import_workers requests in
    # flight) and objects per transaction inside Keycloak.
    bulk_batch_size: int = 500
    bulk_chunk: int = 100
    use_extension: bool | None = None  # None: when the server has it
    send_activation_email: bool = False
    email_lifespan_s: int = 7 * 24 * 3600
    otp_for_joiners: bool | None = None  # None: as the realm's CONFIGURE_TOTP default action says
    progress: bool = True


@dataclass
class ApplyResult:
    run_id: str
    ok: int = 0
    failed: int = 0
    reads: int = 0
    writes: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, key, error)
    emails_sent: int = 0
    logouts_retried: int = 0  # sessions of earlier runs' leavers ended by this run
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase
    via: str = "admin-api"  # how new objects were written: "extension" or "admin-api"

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


class Applier:
    def __init__(
        self,
        kc: KeycloakAdmin,
        plan: SyncPlan,
        state: KeycloakState,
        runlog: RunLog,
        run_id: str,
        options: ApplyOptions,
    ) -> None:
        self.kc = kc
        self.plan = plan
        self.state = state
        self.log = runlog
        self.run_id = run_id
        self.options = options
        self.result = ApplyResult(run_id)
        self.group_ids = {k: g.id for k, g in state.groups_by_kunker.items()}
        self.group_paths = {k: g.path for k, g in state.groups_by_kunker.items()}
        self.failed_groups: set[str] = set()
        self.failed_roles: set[str] = set()
        self.role_ids = {n: r.id for n, r in state.roles.items()}
        self.emails = {u.email.lower(): u.username for u in state.users.values() if u.email}
        self.emails.update(state.known_emails)
        self.created: dict[str, str] = {}  # NIP -> new user id
        # partialImport failures are deterministic (a bad record): one retry, then bisect.
        self.importer = KeycloakAdmin(kc.conn, kc.realm, retries=1, backoff=kc.backoff,
                                      pool_size=4).sharing_token(kc)
        self.importer.counter = kc.counter
        ops = bulk.operations(kc) if options.use_extension is not False else frozenset()
        self.bulk = options.use_extension if options.use_extension is not None else bulk.CREATE_OPS <= ops
        # An extension built before it could change accounts: those go through the Admin API.
        self.bulk_updates = self.bulk and "user-updates" in ops
        # An extension that ends leavers' sessions with their change (else: a logout each).
        self.bulk_logout = self.bulk_updates and bulk.LOGOUT_OP in ops
        self.result.via = "extension" if self.bulk else "admin-api"
        self._default_role: str | None = None
        self._tally_lock = threading.Lock()

    # --- bookkeeping ---------------------------------------------------------------------------
    def _tally(self, *, ok: int = 0, failed: int = 0, emails: int = 0,
               error: tuple[str, str, str] | None = None) -> None:
        # Outcomes arrive from worker threads (imports in flight, new groups beside new roles).
        with self._tally_lock:
            self.result.ok += ok
            self.result.failed += failed
            self.result.emails_sent += emails
            if error is not None:
                self.result.errors.append(error)

    def _ok(self, c: Change, *, action: str | None = None, source: dict[str, Any] | None = None) -> None:
        self._tally(ok=1)
        self.log.record(
            self.run_id,
            c.kind,
            c.key,
            action or c.action,
            "ok",
            reason=c.reason,
            fields=c.as_dict().get("fields"),
            source=source or _source(c),
        )

    def _skipped(self, c: Change) -> None:
        self._tally(ok=1)
        self.log.record(self.run_id, c.kind, c.key, c.action, "skipped", reason=ALREADY_THERE,
                        source=_source(c))

    def _fail(self, c: Change, error: str) -> None:
        self._tally(failed=1, error=(c.kind, c.key, error))
        self.log.record(
            self.run_id,
            c.kind,
            c.key,
            c.action,
            "failed",
            reason=c.reason,
            fields=c.as_dict().get("fields"),
            source=_source(c),
            error=error,
        )

    def _parallel(
        self, label: str, changes: list[Change], work: Callable[[Change], None], workers: int | None = None
    ) -> None:
        if not changes:
            return
        with (
            Progress(label, len(changes), enabled=self.options.progress) as bar,
            ThreadPoolExecutor(max_workers=workers or self.options.workers) as pool,
        ):
            futures = {pool.submit(work, c): c for c in changes}
            for fut in as_completed(futures):
                c = futures[fut]
                try:
                    fut.result()
                    self._ok(c)
                except SatuLoginError as exc:
                    self._fail(c, str(exc))
                bar.advance()

    # --- groups --------------------------------------------------------------------------------
    def groups(self) -> None:
        todo = self.plan.of("group", "create", "update", "move")
        levels = sorted({c.desired.level for c in todo if isinstance(c.desired, DesiredGroup)})
        for level in levels:  # a parent must exist (and sit where it belongs) before its children
            batch = [c for c in todo if isinstance(c.desired, DesiredGroup) and c.desired.level == level]
            if self.bulk:
                self._bulk_groups([c for c in batch if c.action == "create"])
                batch = [c for c in batch if c.action != "create"]
            self._parallel(f"unit (level {level})", batch, self._group)
        for c in todo:
            if isinstance(c.desired, DesiredGroup) and c.key not in self.group_ids:
                self.failed_groups.add(c.key)
        # Paths for partialImport, from the tree as it now stands.
        self._paths()

    def _group(self, c: Change) -> None:
        g = c.desired
        assert isinstance(g, DesiredGroup)
        parent_id = None
        if g.parent_kunker is not None:
            parent_id = self.group_ids.get(g.parent_kunker)
            if parent_id is None:
                self.failed_groups.add(g.kunker)
                raise SatuLoginError(
                    f"grup induk {g.parent_kunker} belum ada / parent group {g.parent_kunker} "
                    "is missing (its own change failed)"
                )
        under = f"/groups/{parent_id}/children" if parent_id else "/groups"
        if c.action == "create":
            resp = self.kc.post(under, {"name": g.name, "attributes": g.attributes})
            self.group_ids[g.kunker] = self.kc.created_id(resp)
            return
        current = self.state.groups[c.kc_id or ""]
        attrs = {**current.attributes, **g.attributes}
        body = {"id": current.id, "name": g.name, "attributes": attrs}
        if c.action == "move":
            # POST of an existing id under the new parent moves the group in place: same id,
            # same members, same role mappings (GroupResource.addChild / moveGroup).
            self.kc.post(under, body)
        else:
            self.kc.put(f"/groups/{current.id}", body)

    def _bulk_groups(self, creates: list[Change]) -> None:
        ready: list[Change] = []
        items: list[dict[str, Any]] = []
        for c in creates:
            g = c.desired
            assert isinstance(g, DesiredGroup)
            parent_id = self.group_ids.get(g.parent_kunker) if g.parent_kunker is not None else None
            if g.parent_kunker is not None and parent_id is None:
                self._fail(c, f"grup induk {g.parent_kunker} belum ada / parent group {g.parent_kunker} "
                              "is missing (its own change failed)")
                continue
            ready.append(c)
            items.append({"name": g.name, "parentId": parent_id, "attributes": g.attributes})
        for c, res in self._bulk_send("groups", ready, items):
            if res.id is not None:
                self.group_ids[c.key] = res.id

    def _bulk_send(
        self, kind: str, changes: list[Change], items: list[dict[str, Any]]
    ) -> list[tuple[Change, bulk.BulkResult]]:
        """One bulk creation request; each change's outcome goes to the run log. Returns the
        successes."""
        if not changes:
            return []
        try:
            results = bulk.create(self.importer, kind, items, chunk=self.options.bulk_chunk,
                                  timeout=self.options.import_timeout_s)
        except SatuLoginError as exc:
            for c in changes:
                self._fail(c, str(exc))
            return []
        done: list[tuple[Change, bulk.BulkResult]] = []
        with self.log.batch():
            for c, res in zip(changes, results, strict=True):
                if res.action == "CREATED":
                    self._ok(c)
                elif res.action == "SKIPPED":
                    # Made by an interrupted earlier run (or a request whose answer was lost).
                    self._skipped(c)
                else:
                    self._fail(c, f"Keycloak: {res.error or 'gagal / failed'}")
                    continue
                done.append((c, res))
        return done

    def _paths(self) -> None:
        desired = {
            c.key: c.desired
            for c in self.plan.changes
            if c.kind == "group" and isinstance(c.desired, DesiredGroup)
        }
        names = {k: g.name for k, g in self.state.groups_by_kunker.items()}
        parents: dict[str, str | None] = {}
        for k, g in self.state.groups_by_kunker.items():
            parent = self.state.groups.get(g.parent_id or "")
            parents[k] = parent.kunker if parent is not None and parent.managed else None
        for k, d in desired.items():
            if k in self.group_ids:
                names[k], parents[k] = d.name, d.parent_kunker
        for k in names:
            parts: list[str] = []
            cur: str | None = k
            seen: set[str] = set()
            while cur is not None and cur not in seen:
                seen.add(cur)
                parts.append(names.get(cur, cur))
                cur = parents.get(cur)
            self.group_paths[k] = "/" + "/".join(reversed(parts))

    # --- roles ---------------------------------------------------------------------------------
    def roles(self) -> None:
        todo = self.plan.of("role", "create", "update")
        creates = [c for c in todo if c.action == "create"]
        if self.bulk:
            for c, res in self._bulk_send("roles", creates, [self._role_rep(c) for c in creates]):
                if res.id is not None:
                    self.role_ids[c.key] = res.id
            todo = [c for c in todo if c.action != "create"]
        self._parallel("jabatan", todo, self._role)
        if creates and not self.bulk:  # POST /roles answers no id: read them back
            self.role_ids.update({n: r.id for n, r in read_roles(self.kc).items()})
        self.failed_roles = {c.key for c in creates} - set(self.role_ids)

    @staticmethod
    def _role_rep(c: Change) -> dict[str, Any]:
        r = c.desired
        assert isinstance(r, DesiredRole)
        return {"name": r.name, "description": r.description, "attributes": r.attributes}

    def _role(self, c: Change) -> None:
        body = self._role_rep(c)
        if c.action == "create":
            self.kc.post("/roles", body)
        else:
            self.kc.put(f"/roles-by-id/{c.kc_id}", body)

    # --- joiners -------------------------------------------------------------------------------
    def joiners(self) -> None:
        todo = self.plan.of("user", "create")
        ready: list[Change] = []
        for c in todo:
            d = c.desired
            assert isinstance(d, DesiredUser)
            missing = []
            if d.unit_kode not in self.group_ids:
                missing.append(f"grup unit {d.unit_kode} / unit group")
            if d.role not in self.role_ids:
                missing.append(f"peran {d.role} / role")
            owner = self.emails.get((d.email or "").lower())
            if missing:
                self._fail(c, "belum ada / missing: " + ", ".join(missing))
            elif d.email and owner and owner != d.username:
                # Keycloak answers a duplicate e-mail in partialImport with a bare HTTP 500;
                # catching it here names the real problem and spares the batch.
                self._fail(
                    c,
                    f"e-mail {d.email} sudah dipakai akun {owner!r} / e-mail already used by account "
                    f"{owner!r}; fix it in SIMPEG or in that account",
                )
            else:
                ready.append(c)
        size = self.options.bulk_batch_size if self.bulk else self.options.batch_size
        batches = [ready[i : i + size] for i in range(0, len(ready), size)]
        send = self._bulk_users if self.bulk else self._import
        created: list[tuple[Change, str]] = []
        with (
            Progress("pegawai baru / joiners", len(ready), enabled=self.options.progress) as bar,
            ThreadPoolExecutor(max_workers=self.options.import_workers) as pool,
        ):
            for fut in as_completed([pool.submit(send, b) for b in batches]):
                done = fut.result()
                created.extend(done)
                bar.advance(len(done))
        if self.options.send_activation_email:
            self._parallel_emails(
                [(c, uid) for c, uid in created if isinstance(c.desired, DesiredUser) and c.desired.email]
            )

    def _required_actions(self) -> list[str]:
        otp = self.options.otp_for_joiners
        if otp is None:
            otp = self.plan.otp_for_joiners
        return ["UPDATE_PASSWORD", "CONFIGURE_TOTP"] if otp else ["UPDATE_PASSWORD"]

    def _user_rep(self, d: DesiredUser) -> dict[str, Any]:
        return {
            "username": d.username,
            "enabled": True,
            "firstName": d.first_name,
            "lastName": d.last_name,
            "email": d.email,
            "emailVerified": False,
            "attributes": {**d.attributes, MANAGED_ATTR: [MANAGED_VALUE]},
            "requiredActions": self._required_actions(),
        }

    def _user_import_rep(self, d: DesiredUser) -> dict[str, Any]:
        # partialImport, unlike POST /users and the extension, leaves out the realm's default
        # roles (the account console's, offline_access): named here so every account has them.
        return {
            **self._user_rep(d),
            "groups": [self.group_paths[d.unit_kode]],
            "realmRoles": [*d.roles, self.default_role()],
        }

    def default_role(self) -> str:
        if self._default_role is None:
            realm = self.kc.get("")
            self._default_role = str((realm.get("defaultRole") or {}).get("name")
                                     or f"default-roles-{self.kc.realm}")
        return self._default_role

    def _bulk_users(self, batch: list[Change]) -> list[tuple[Change, str]]:
        items = []
        for c in batch:
            d = c.desired
            assert isinstance(d, DesiredUser)
            items.append({
                **self._user_rep(d),
                "groupIds": [self.group_ids[d.unit_kode]],
                "realmRoleIds": [self.role_ids[r] for r in d.roles],
            })
        out: list[tuple[Change, str]] = []
        for c, res in self._bulk_send("users", batch, items):
            if res.action == "CREATED" and res.id:
                self.created[c.key] = res.id
                out.append((c, res.id))
        return out

    def _import(self, batch: list[Change]) -> list[tuple[Change, str]]:
        """One partialImport transaction; on failure, halve the batch until the offending
        user is alone, so one bad record (e.g. an e-mail already taken) fails only itself."""
        reps = [self._user_import_rep(c.desired) for c in batch if isinstance(c.desired, DesiredUser)]
        try:
            # A long timeout: a client that gives up and retries while Keycloak still commits the
            # first attempt would race it (duplicate-key errors instead of SKIPPED).
            resp = self.importer.post(
                "/partialImport",
                {"ifResourceExists": "SKIP", "users": reps},
                timeout=self.options.import_timeout_s,
            )
        except SatuLoginError as exc:
            if len(batch) == 1:
                self._fail(batch[0], str(exc))
                return []
            half = len(batch) // 2
            return self._import(batch[:half]) + self._import(batch[half:])
        ids = {r.get("resourceName"): (r.get("id"), r.get("action")) for r in resp.json().get("results", [])}
        out: list[tuple[Change, str]] = []
        with self.log.batch():
            for c in batch:
                uid, action = ids.get(c.key, (None, None))
                if action == "SKIPPED":
                    # Created by an interrupted earlier run (same transaction as its group and roles).
                    self._skipped(c)
                    continue
                self._ok(c)
                if uid:
                    self.created[c.key] = uid
                    out.append((c, uid))
        return out

    def _parallel_emails(self, items: list[tuple[Change, str]]) -> None:
        def send(item: tuple[Change, str]) -> None:
            c, uid = item
            try:
                self.kc.put(
                    f"/users/{uid}/execute-actions-email",
                    self._required_actions(),
                    params={"lifespan": self.options.email_lifespan_s},
                )
                self._tally(emails=1)
                self.log.record(self.run_id, "user", c.key, "activation-email", "ok")
            except SatuLoginError as exc:
                # The account exists; only the mail failed. Recorded, counted, not retried here.
                self._tally(failed=1, error=("user", c.key, str(exc)))
                self.log.record(self.run_id, "user", c.key, "activation-email", "failed", error=str(exc))

        with ThreadPoolExecutor(max_workers=self.options.workers) as pool:
            list(pool.map(send, items))

    # --- existing users ------------------------------------------------------------------------
    def users(self) -> None:
        todo = self.plan.of("user", "update", "move", "disable", "enable", "adopt")
        if self.bulk_updates:
            todo = self._bulk_user_changes(todo)
        self._parallel("pegawai / users", todo, self._user)

    def _bulk_user_changes(self, todo: list[Change]) -> list[Change]:
        """Account changes through the extension's ``user-updates``: hundreds per request, each
        account in one transaction (its fields, unit and jabatan switch together), where the
        Admin REST API takes a request per field set, membership and grant. Each batch's leavers
        are logged out by Keycloak's own logout as soon as the batch is written. Returns what is
        left for the Admin REST API: changes naming a unit or role Keycloak lacks (it words that
        failure; a leaver among them is disabled first) and every change of a request that got
        no answer (it retries with back-off)."""
        rest: list[Change] = []
        ready: list[tuple[Change, dict[str, Any]]] = []
        leavers_missing: list[tuple[Change, str]] = []
        for c in todo:
            missing = self._missing_placement(c)
            if missing is None:
                ready.append((c, self._user_update_item(c)))
            elif c.logout:
                leavers_missing.append((c, missing))
            else:
                rest.append(c)
        size = self.options.bulk_batch_size
        batches = [ready[i : i + size] for i in range(0, len(ready), size)]
        with (
            Progress("pegawai / users", len(ready), enabled=self.options.progress) as bar,
            ThreadPoolExecutor(max_workers=self.options.import_workers) as pool,
        ):
            sizes = {pool.submit(self._send_user_updates, b): len(b) for b in batches}
            for fut in as_completed(sizes):
                rest.extend(fut.result())
                bar.advance(sizes[fut])
        rest.extend(self._lock(leavers_missing))
        return rest

    def _send_user_updates(self, batch: list[tuple[Change, dict[str, Any]]]) -> list[Change]:
        """One request, its leavers logged out and its failures logged. Returns the changes
        left for the Admin REST API (none, unless the request got no answer)."""
        changes = [c for c, _ in batch]
        self._logouts_pending([c for c in changes if c.logout])
        try:
            results = bulk.update_users(self.importer, [item for _, item in batch],
                                        chunk=self.options.bulk_chunk, timeout=self.options.import_timeout_s)
        except SatuLoginError:
            return changes
        written: list[tuple[Change, bulk.BulkResult]] = []
        failed: list[tuple[Change, str]] = []
        for c, res in zip(changes, results, strict=True):
            if res.action == "UPDATED":
                written.append((c, res))
            else:
                failed.append((c, f"Keycloak: {res.error or 'gagal / failed'}"))
        self._end_sessions(written)
        with self.log.batch():
            for c, error in failed:
                if not c.logout:
                    self._fail(c, error)
        return self._lock([(c, e) for c, e in failed if c.logout])

    def _end_sessions(self, written: list[tuple[Change, bulk.BulkResult]]) -> None:
        """Log the written changes as done; leavers' sessions are ended first (by the extension
        with the change, or here, several at a time)."""
        def one(item: tuple[Change, bulk.BulkResult]) -> None:
            c, res = item
            try:
                self._ended(c, res)
            except SatuLoginError as exc:
                self._disabled_only(c)
                self._fail(c, f"akun dinonaktifkan, tetapi sesinya belum diakhiri / disabled, but its "
                              f"sessions were not ended: {exc}")
                return
            self._ok(c)

        # What needs no request goes in one transaction of the log; leavers' logouts run side by
        # side, each logged on its own (a batch would hold the log while they wait).
        requests = [(c, res) for c, res in written if c.logout and res.logged_out is None]
        with self.log.batch():
            for c, res in written:
                if not c.logout:
                    self._ok(c)
                elif res.logged_out is not None:
                    one((c, res))
        with ThreadPoolExecutor(max_workers=self.options.workers) as pool:
            list(pool.map(one, requests))

    def _lock(self, leavers: list[tuple[Change, str]]) -> list[Change]:
        """Leavers whose change cannot be written (an e-mail another account holds, a unit group
        gone): a leaver loses access anyway. Each account is disabled on its own and logged out,
        and the change is reported failed with the reason. Returns the leavers the request got
        no answer for (the Admin REST path, which disables first, takes them)."""
        if not leavers:
            return []
        self._logouts_pending([c for c, _ in leavers])
        lock: dict[str, Any] = {"enabled": False, **({"logout": True} if self.bulk_logout else {})}
        try:
            answers = bulk.update_users(
                self.importer, [{"id": c.kc_id, "username": c.key, **lock} for c, _ in leavers],
                chunk=self.options.bulk_chunk, timeout=self.options.import_timeout_s)
        except SatuLoginError:
            return [c for c, _ in leavers]
        for (c, error), res in zip(leavers, answers, strict=True):
            if res.action != "UPDATED":
                self._fail(c, f"{error}; menonaktifkan saja juga gagal / disabling alone failed too: "
                              f"{res.error}")
                continue
            self._disabled_only(c)
            try:
                self._ended(c, res)
                self._fail(c, f"akun dinonaktifkan dan sesinya diakhiri, tetapi / disabled and logged out, "
                              f"but: {error}")
            except SatuLoginError as exc:
                self._fail(c, f"akun dinonaktifkan, sesinya belum diakhiri ({exc}) / disabled, sessions not "
                              f"ended: {error}")
        return []

    def _disabled_only(self, c: Change) -> None:
        """The account was disabled although the rest of its change failed: logged as the
        sync's disable, so the person is enabled again when HR says they are back (only the
        sync's own disables are ever undone)."""
        self.log.record(self.run_id, "user", c.key, "disable", "ok",
                        reason="akun dinonaktifkan; sisa perubahan gagal, lihat baris berikut / account "
                               "disabled; the rest of the change failed, see the next row",
                        source=_source(c))

    def _missing_placement(self, c: Change) -> str | None:
        """Why a change cannot be written: a unit group or jabatan role it needs is missing."""
        for kunker in c.add_groups:
            if kunker not in self.group_ids:
                return f"grup unit {kunker} tidak ada / unit group {kunker} is missing"
        missing = [r for r in c.add_roles if r not in self.role_ids]
        if missing:
            return f"peran {', '.join(missing)} tidak ada / role(s) missing"
        return None

    def _user_update_item(self, c: Change) -> dict[str, Any]:
        """The ``user-updates`` item for a planned change: only what the plan changes."""
        rep = c.representation or {}
        item: dict[str, Any] = {"id": c.kc_id, "username": c.key}
        if c.logout and self.bulk_logout:
            item["logout"] = True
        attributes: dict[str, list[str]] = {}
        for name in c.fields:
            if name in ("firstName", "lastName", "enabled"):
                item[name] = rep[name]
            elif name == "email":
                item["email"] = rep.get("email") or ""
                item["emailVerified"] = False
            else:
                attributes[name] = list((rep.get("attributes") or {}).get(name) or [])
        if attributes:
            item["attributes"] = attributes
        if c.add_groups:
            item["joinGroupIds"] = [self.group_ids[k] for k in c.add_groups]
        if c.remove_groups:
            item["leaveGroupIds"] = list(c.remove_groups)
        if c.add_roles:
            item["grantRealmRoleIds"] = [self.role_ids[r] for r in c.add_roles]
        if c.remove_roles:
            item["revokeRealmRoleIds"] = [self.role_ids[r] for r in c.remove_roles if r in self.role_ids]
        return item

    def _logouts_pending(self, leavers: list[Change]) -> None:
        """Written before a leaver's account is: the logout this run owes them. Should the run
        stop before the logout (or the logout fail), the next run finds it here and ends their
        sessions, although their account, already disabled, then plans no change. Marked as
        coming before this run's disable of the account: should the run stop before logging
        the disable, the next plan asks Keycloak's events whether it was written
        (:mod:`sync.stopped_runs`)."""
        if leavers:
            with self.log.batch():
                for c in leavers:
                    self.log.record(self.run_id, "user", c.key, "logout", "pending",
                                    fields={"id": c.kc_id, "disabling": True})

    def _logout(self, c: Change) -> None:
        self.kc.post(f"/users/{c.kc_id}/logout")
        self._logged_out(c.key, c.kc_id)

    def _logged_out(self, nip: str, user_id: str | None, reason: str | None = None) -> None:
        """The logout owed to ``nip`` is done (see :meth:`_logouts_pending`)."""
        self.log.record(self.run_id, "user", nip, "logout", "ok", fields={"id": user_id}, reason=reason)

    def _ended(self, c: Change, res: bulk.BulkResult) -> None:
        """A written leaver's sessions: ended by the extension with the change when its answer
        says so (raises when it could not), else by Keycloak's logout here."""
        if res.logged_out is None:
            self._logout(c)
        elif not res.logged_out:
            raise SatuLoginError(f"Keycloak: {res.error or 'sesi belum diakhiri / sessions not ended'}")
        else:
            self._logged_out(c.key, c.kc_id)

    def log_unlogged_disables(self) -> None:
        """Logs what the plan learned from Keycloak's admin events about the disables stopped
        runs never logged (:mod:`sync.stopped_runs`): the sync's own (so the person is enabled
        again when HR says they are back) or not (somebody else's lock from then on, left
        alone; see :meth:`RunLog.disabled_by_sync`). Before the owed logouts are ended."""
        with self.log.batch():
            for nip, user_id in sorted(self.plan.confirmed_disables.items()):
                self.log.record(
                    self.run_id, "user", nip, "disable", "ok",
                    fields={"id": user_id, "enabled": {"old": True, "new": False}},
                    reason="ditulis run yang berhenti sebelum mencatatnya (event admin Keycloak) / "
                           "written by a run that stopped before logging it (Keycloak's admin events)",
                )
            for nip, (user_id, why) in sorted(self.plan.unconfirmed_disables.items()):
                self.log.record(
                    self.run_id, "user", nip, "disable", "skipped",
                    fields={"id": user_id, NOT_BY_SYNC: False},
                    reason=f"bukan disable milik sync / not the sync's disable: {why}",
                )

    def retry_logouts(self) -> None:
        """Ends the sessions earlier runs owed their leavers (see :meth:`_logouts_pending`),
        while the account is still disabled: someone enabled again since is left logged in."""
        pending = self.log.pending_logouts(self.kc.realm)

        def one(item: tuple[str, str]) -> None:
            nip, uid = item
            try:
                user = self.kc.get(f"/users/{uid}", ok=(404,))
                if not user:
                    why = "akun sudah tidak ada / the account no longer exists"
                elif user.get("enabled"):
                    why = "akun sudah aktif lagi / the account is enabled again"
                else:
                    self.kc.post(f"/users/{uid}/logout")
                    self._logged_out(nip, uid, reason="logout yang tertunda dari run sebelumnya / a "
                                                      "logout an earlier run left undone")
                    with self._tally_lock:
                        self.result.logouts_retried += 1
                    return
                self.log.record(self.run_id, "user", nip, "logout", "skipped", fields={"id": uid}, reason=why)
            except SatuLoginError as exc:
                # Still owed: stays pending for the next run, and this run reports it.
                error = f"sesi belum diakhiri / sessions not ended yet: {exc}"
                self._tally(failed=1, error=("user", nip, error))
                self.log.record(self.run_id, "user", nip, "logout", "pending", fields={"id": uid},
                                error=error)

        if pending:
            with ThreadPoolExecutor(max_workers=self.options.workers) as pool:
                list(pool.map(one, sorted(pending.items())))

    def _user(self, c: Change) -> None:
        uid = c.kc_id
        locked = False
        if c.logout:
            self._logouts_pending([c])
        if c.action == "disable" and c.representation is not None:
            # Lock first: a leaver must lose access even if a later step fails.
            self.kc.put(f"/users/{uid}", c.representation)
            locked = True
        try:
            problem = self._missing_placement(c)
            if problem is not None:
                raise SatuLoginError(problem)
            for kunker in c.add_groups:
                self.kc.put(f"/users/{uid}/groups/{self.group_ids[kunker]}")
            for gid in c.remove_groups:
                self.kc.delete(f"/users/{uid}/groups/{gid}", ok=(404,))
            if c.add_roles:
                self.kc.post(f"/users/{uid}/role-mappings/realm", self._role_reps(c.add_roles))
            if c.remove_roles:
                self.kc.delete(f"/users/{uid}/role-mappings/realm", self._role_reps(c.remove_roles),
                               ok=(404,))
            if c.representation is not None and (c.action != "disable" or c.fields.keys() - {"enabled"}):
                # Attributes last: they record the group/role the sync switched to (see keycloak_state).
                self.kc.put(f"/users/{uid}", c.representation)
            if c.logout:
                self._logout(c)
        except SatuLoginError:
            if locked:
                self._disabled_only(c)
                if c.logout:
                    # The rest of the change failed; the leaver still loses their sessions now
                    # (or the logout stays owed to the next run).
                    with contextlib.suppress(SatuLoginError):
                        self._logout(c)
            raise

    def _role_reps(self, names: Iterable[str]) -> list[dict[str, str]]:
        return [{"id": self.role_ids[n], "name": n} for n in names if n in self.role_ids]


def _remember(
    kc: KeycloakAdmin, plan: SyncPlan, state: KeycloakState, runlog: RunLog, applier: Applier
) -> None:
    """What Keycloak now holds, for the next run's incremental read (:mod:`sync.incremental`)."""
    from .incremental import SyncCache, remember

    assert plan.scope is not None
    cache = SyncCache(runlog.path)
    try:
        with no_cycle_collection():
            remember(
                cache,
                kc.realm,
                plan.scope,
                state,
                failed={(kind, key) for kind, key, _ in applier.result.errors},
                created=applier.created,
                group_ids=applier.group_ids,
                role_ids=applier.role_ids,
                adopted={c.key for c in plan.of("user", "adopt")},
                held={c.key for c in plan.of("user", "hold")},
            )
    finally:
        cache.close()


def _remember_window(plan: SyncPlan, runlog: RunLog) -> None:
    """A run that wrote (or may have) and stopped: its window, so its writes stay its own."""
    from .incremental import SyncCache, now_ms

    if plan.scope is None:
        return
    # Never in the way of the error that stopped the run: without its window, the next run
    # merely takes this one's writes for somebody else's (a full run at worst).
    with contextlib.suppress(Exception):
        cache = SyncCache(runlog.path)
        try:
            cache.save_window(plan.scope.realm_id, plan.scope.started_ms, now_ms())
        finally:
            cache.close()


def _source(c: Change) -> dict[str, Any] | None:
    return dict(c.desired.source) if isinstance(c.desired, DesiredUser) else None


def apply_plan(
    kc: KeycloakAdmin,
    plan: SyncPlan,
    state: KeycloakState,
    runlog: RunLog,
    *,
    options: ApplyOptions | None = None,
    limits: SafetyLimits | None = None,
    mode: str = "apply",
) -> ApplyResult:
    """Check the rails, then write. Raises :class:`SafetyStop` before any write."""
    options = options or ApplyOptions()
    run_id = runlog.start_run(kc.realm, mode)
    with runlog.batch():
        for q in plan.quarantine:
            runlog.record(
                run_id,
                q["kind"],
                q["key"],
                "quarantine",
                "skipped",
                reason="; ".join(q["reasons"]),
                source={"origin": q["origin"]},
            )
    started = time.monotonic()
    reads0, writes0 = kc.counter.snapshot()
    applier = Applier(kc, plan, state, runlog, run_id, options)
    try:
        # Before the rails: they guard this plan's writes, and an owed logout ends the sessions
        # of an account already disabled, whatever the plan says; a refused run must not keep
        # a leaver logged in for as long as it keeps being refused.
        applier.log_unlogged_disables()
        applier.retry_logouts()
        check(plan, limits or SafetyLimits(), runlog.last_source_total(kc.realm))
    except SatuLoginError as exc:
        applier.importer.close()
        _remember_window(plan, runlog)  # owed logouts may have been written before the refusal
        runlog.finish_run(
            run_id,
            status="refused",
            source_total=plan.source_total,
            managed_users=plan.managed_users,
            counts=plan.counts(),
            message=str(exc),
        )
        raise
    def timed(phase: Callable[[], None]) -> None:
        t0 = time.monotonic()
        phase()
        applier.result.phases[phase.__name__] = time.monotonic() - t0

    try:
        if applier.bulk and not plan.of("group", "update", "move") and not plan.of("role", "update"):
            # New units and jabatan only (an initial sync, a new OPD): through our extension
            # the unit tree (level by level, one request at a time) and the roles do not touch
            # each other, so they go side by side and each keeps a core busy. Updates go
            # through the plain Admin REST API and stay one after the other: there groups and
            # roles invalidated Keycloak's realm cache under each other (groups took 12.5 s
            # instead of 1.6).
            with ThreadPoolExecutor(max_workers=2) as pool:
                for fut in [pool.submit(timed, applier.groups), pool.submit(timed, applier.roles)]:
                    fut.result()
        else:
            timed(applier.groups)
            timed(applier.roles)
        timed(applier.joiners)
        timed(applier.users)
    except BaseException as exc:
        runlog.finish_run(run_id, status="crashed", message=repr(exc))
        _remember_window(plan, runlog)
        raise
    finally:
        applier.importer.close()
    reads1, writes1 = kc.counter.snapshot()
    result = applier.result
    if plan.scope is not None:
        _remember(kc, plan, state, runlog, applier)
    result.reads, result.writes = reads1 - reads0, writes1 - writes0
    result.seconds = time.monotonic() - started
    runlog.finish_run(
        run_id,
        status="failed" if result.failed else "ok",
        source_total=plan.source_total,
        managed_users=plan.managed_users,
        counts=plan.counts(),
        ok=result.ok,
        failed=result.failed,
        reads=result.reads + state.reads,
        writes=result.writes,
    )
    return result
