"""``satulogin sync``: plan, apply, log, runs, demo-data. A thin shell over the sync core."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from satulogin.errors import SatuLoginError

from .apply import ApplyOptions


def _common(func: Any) -> Any:
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            default=lambda: os.environ.get("SATULOGIN_SYNC_CONFIG"),
            help="Berkas konfigurasi sync / sync config file (default: $SATULOGIN_SYNC_CONFIG, "
            "else the demo SIMPEG database).",
        ),
        click.option(
            "--realm",
            default=lambda: os.environ.get("SATULOGIN_REALM", "banten"),
            show_default="banten",
            help="Realm Keycloak / Keycloak realm ($SATULOGIN_REALM).",
        ),
        click.option(
            "--adopt",
            is_flag=True,
            help="Ambil alih akun manual yang username-nya NIP di sumber / take over hand-made accounts "
            "whose username is a NIP in the source (marks them managed).",
        ),
        click.option(
            "--verify-membership",
            is_flag=True,
            help="Baca keanggotaan grup/peran nyata, bukan dari atribut / list real group and role "
            "membership instead of deriving it from attributes (slower; an audit).",
        ),
        click.option(
            "--log-db",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Berkas log SQLite / run-log SQLite file (default: $SATULOGIN_SYNC_LOG or the cache).",
        ),
        click.option(
            "--full",
            is_flag=True,
            help="Baca seluruh realm, bukan hanya yang berubah / read the whole realm, not only what "
            "changed since the last run (see docs/operations.md, incremental runs).",
        ),
        click.option(
            "--full-every-hours",
            type=click.IntRange(0, 24 * 365),
            default=24,
            show_default=True,
            help="Rekonsiliasi penuh bila yang terakhir lebih tua / run in full when the last full run is "
            "older than this (0: only with --full).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load(config_path: Path | None) -> Any:
    from .config import default_config, load_config
    from .loader import load_snapshot

    config = load_config(config_path) if config_path else default_config()

    def progress(stage: str, count: int) -> None:
        click.echo(f"baca / read {stage}: {count}", err=True)

    return load_snapshot(config, progress=progress)


def _kc(realm: str) -> Any:
    from satulogin.kc_admin import AdminConnection, KeycloakAdmin

    kc = KeycloakAdmin(AdminConnection.from_env(), realm)
    if not kc.realm_exists():
        raise SatuLoginError(
            f"realm {realm!r} tidak ada di Keycloak / does not exist: run `satulogin realm apply` "
            "first, or choose --realm"
        )
    return kc


def _prepare(
    config_path: Path | None,
    realm: str,
    adopt: bool,
    verify: bool,
    log_db: Path | None,
    full: bool,
    full_every_hours: int,
) -> tuple[Any, Any, Any, Any]:
    from .incremental import SyncCache
    from .plan import make_plan
    from .runlog import RunLog

    snapshot = _load(config_path)
    kc = _kc(realm)
    runlog = RunLog(log_db)
    cache = SyncCache(runlog.path)
    try:
        plan, state = make_plan(
            kc,
            snapshot,
            adopt=adopt,
            verify=verify,
            runlog=runlog,
            cache=cache,
            full=full,
            full_every_s=full_every_hours * 3600,
        )
    finally:
        cache.close()
    if plan.scope is not None:
        click.echo(
            f"mode: {plan.scope.mode} ({plan.scope.reason}); {plan.scope.users_read} akun dibaca / "
            f"accounts read, {state.reads} permintaan baca / read requests",
            err=True,
        )
    return kc, runlog, plan, state


@click.group("sync")
def sync_group() -> None:
    """Sinkronisasi SDM ke Keycloak / HR sync into Keycloak (plan, apply, log)."""


@sync_group.command("plan")
@_common
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--limit", type=int, default=None, help="Tampilkan paling banyak N baris / show at most N changes."
)
def plan_command(
    config_path: Path | None,
    realm: str,
    adopt: bool,
    verify_membership: bool,
    log_db: Path | None,
    full: bool,
    full_every_hours: int,
    output: str,
    limit: int | None,
) -> None:
    """Tampilkan rencana tanpa mengubah apa pun / show what apply would do; changes nothing.

    Exit 0: tidak ada perubahan / no changes; 2: ada perubahan tertunda / changes pending;
    1: galat / error (configuration, secret, source, Keycloak).
    """
    from .plan import render_json, render_text

    try:
        kc, runlog, plan, _ = _prepare(
            config_path, realm, adopt, verify_membership, log_db, full, full_every_hours
        )
    except SatuLoginError as exc:
        # Exit 2 means "changes pending" here (as `terraform plan -detailed-exitcode` has it), so
        # a configuration or secret problem (exit 2 elsewhere) exits 1: a wrapper that applies
        # when plan says 2 must not take a broken config for pending changes.
        click.echo(f"galat / error: {exc}", err=True)
        sys.exit(1 if exc.exit_code == 2 else exc.exit_code)
    click.echo(render_json(plan) if output == "json" else render_text(plan, limit=limit))
    _say_unlogged_disables(plan)
    owed = runlog.pending_logouts(realm)
    if owed:
        click.echo(
            f"logout tertunda / logouts owed: {len(owed)} pegawai keluar yang sesinya belum diakhiri "
            f"(apply berikutnya mengakhirinya) / leavers whose sessions an earlier run did not end "
            f"(the next apply ends them): {', '.join(sorted(owed)[:10])}",
            err=True,
        )
    runlog.close()
    kc.close()
    sys.exit(2 if plan.pending or owed else 0)


def _say_unlogged_disables(plan: Any) -> None:
    """What the plan learned about disables stopped runs never logged (sync.stopped_runs)."""
    if plan.confirmed_disables or plan.unconfirmed_disables:
        others = ", ".join(f"{nip} ({why})" for nip, (_, why) in sorted(plan.unconfirmed_disables.items()))
        click.echo(
            "disable tanpa catatan dari run yang berhenti / disables stopped runs never logged "
            "(event admin Keycloak; apply mencatatnya / Keycloak's admin events; apply logs them): "
            f"milik sync / the sync's: {', '.join(sorted(plan.confirmed_disables)) or '-'}; bukan / not: "
            + (others or "-"),
            err=True,
        )
    if plan.unlogged_problem:
        click.echo(
            "peringatan / warning: disable tanpa catatan dari run yang berhenti belum bisa diputuskan "
            f"/ disables stopped runs never logged cannot be decided yet: {plan.unlogged_problem}",
            err=True,
        )


@sync_group.command("apply")
@_common
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 5000),
    default=ApplyOptions.batch_size,
    show_default=True,
    help="Pengguna per partialImport / users per partialImport request (without the extension).",
)
@click.option(
    "--no-extension",
    is_flag=True,
    help="Tanpa ekstensi Keycloak / use the plain Admin REST API even where our extension is installed.",
)
@click.option(
    "--send-activation-email",
    is_flag=True,
    help="Kirim e-mail aktivasi ke pegawai baru / send joiners Keycloak's execute-actions e-mail.",
)
@click.option(
    "--otp/--no-otp",
    "otp",
    default=None,
    help="Wajibkan OTP untuk pegawai baru / require OTP setup for joiners (default: as the realm's "
    "CONFIGURE_TOTP default action).",
)
@click.option("--max-disable-share", type=click.FloatRange(0, 1), default=0.05, show_default=True)
@click.option("--max-shrink-share", type=click.FloatRange(0, 1), default=0.10, show_default=True)
@click.option(
    "--allow-mass-disable", is_flag=True, help="Lewati batas penonaktifan / override the disable limit."
)
@click.option(
    "--allow-shrink", is_flag=True, help="Lewati batas penyusutan sumber / override the shrink limit."
)
@click.option("--allow-empty-source", is_flag=True, help="Izinkan sumber kosong / allow an empty source.")
def apply_command(
    config_path: Path | None,
    realm: str,
    adopt: bool,
    verify_membership: bool,
    log_db: Path | None,
    full: bool,
    full_every_hours: int,
    workers: int,
    batch_size: int,
    no_extension: bool,
    send_activation_email: bool,
    otp: bool | None,
    max_disable_share: float,
    max_shrink_share: float,
    allow_mass_disable: bool,
    allow_shrink: bool,
    allow_empty_source: bool,
) -> None:
    """Jalankan rencana / execute the plan (safety rails first).

    Exit 0: sukses / done; 1: sebagian objek gagal / some objects failed (see `sync log --failed`);
    3: dihentikan rel pengaman / stopped by a safety rail, nothing written;
    4: apply lain sedang berjalan / another apply for this realm is running, nothing done.
    """
    from .runlock import run_lock
    from .runlog import default_path

    # One apply per realm at a time (sync/runlock.py); a plan never waits for it.
    with run_lock(log_db or default_path(), realm):
        from .apply import ApplyOptions, apply_plan
        from .safety import SafetyLimits

        kc, runlog, plan, state = _prepare(
            config_path, realm, adopt, verify_membership, log_db, full, full_every_hours
        )
        for q in plan.quarantine:
            click.echo(
                f"karantina / quarantined {q['kind']} {q['key']} ({q['origin']}): {'; '.join(q['reasons'])}",
                err=True,
            )
        _say_unlogged_disables(plan)
        options = ApplyOptions(
            workers=workers,
            batch_size=batch_size,
            use_extension=False if no_extension else None,
            send_activation_email=send_activation_email,
            otp_for_joiners=otp,
            progress=True,
        )
        limits = SafetyLimits(
            max_disable_share=max_disable_share,
            max_shrink_share=max_shrink_share,
            allow_mass_disable=allow_mass_disable,
            allow_shrink=allow_shrink,
            allow_empty_source=allow_empty_source,
        )
        result = apply_plan(kc, plan, state, runlog, options=options, limits=limits)
        counts = plan.counts()
        click.echo(
            f"run {result.run_id}: {result.ok} ok, {result.failed} gagal/failed, "
            f"{result.writes} tulis/writes, {result.seconds:.1f} s (via {result.via})"
        )
        if result.logouts_retried:
            click.echo(f"  logout tertunda diselesaikan / owed logouts done: {result.logouts_retried}")
        for kind, actions in counts.items():
            click.echo(f"  {kind:6} " + ", ".join(f"{a} {n}" for a, n in actions.items()))
        for kind, key, error in result.errors[:20]:
            click.echo(f"  gagal / failed {kind} {key}: {error}", err=True)
        runlog.close()
        kc.close()
        sys.exit(result.exit_code)


def _day(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r}: pakai / use YYYY-MM-DD") from None


@sync_group.command("log")
@click.option("--nip", "key", default=None, help="NIP, kunker atau nama peran / NIP, kunker or role name.")
@click.option("--since", default=None, help="Sejak tanggal / from date (YYYY-MM-DD, UTC).")
@click.option("--until", default=None, help="Sampai tanggal (inklusif) / to date, inclusive.")
@click.option("--run", "run_id", default=None, help="Satu run / one run id.")
@click.option("--failed", is_flag=True, help="Hanya yang gagal / failures only.")
@click.option("--limit", type=int, default=1000, show_default=True)
@click.option("--log-db", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
def log_command(
    key: str | None,
    since: str | None,
    until: str | None,
    run_id: str | None,
    failed: bool,
    limit: int,
    log_db: Path | None,
    output: str,
) -> None:
    """Apa yang terjadi pada objek X / what happened to an object (e.g. --nip X --since 2026-11-24)."""
    from .runlog import RunLog

    until_day = _day(until)
    end = (date.fromisoformat(until_day) + timedelta(days=1)).isoformat() if until_day else None
    runlog = RunLog(log_db)
    events = runlog.events(
        key=key, since=_day(since), until=end, run_id=run_id, result="failed" if failed else None, limit=limit
    )
    runlog.close()
    if output == "json":
        click.echo(json.dumps([e.__dict__ for e in events], indent=2, ensure_ascii=False))
        return
    if not events:
        click.echo("tidak ada catatan / no entries")
    for e in events:
        click.echo(
            f"{e.ts} {e.run_id} {e.kind} {e.key} {e.action}: {e.result}"
            + (f" — {e.reason}" if e.reason else "")
        )
        for name, change in (e.fields or {}).items():
            if isinstance(change, dict):
                click.echo(f"    {name}: {change.get('old')!r} → {change.get('new')!r}")
            else:  # a plain value, e.g. the account id of a logout
                click.echo(f"    {name}: {change!r}")
        if e.error:
            click.echo(f"    galat / error: {e.error}")


@sync_group.command("runs")
@click.option("--realm", default=None)
@click.option("-n", "--limit", type=int, default=20, show_default=True)
@click.option("--log-db", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
def runs_command(realm: str | None, limit: int, log_db: Path | None, output: str) -> None:
    """Ringkasan run terakhir / summary of the last runs."""
    from .runlog import RunLog

    runlog = RunLog(log_db)
    runs = runlog.runs(realm=realm, limit=limit)
    runlog.close()
    if output == "json":
        click.echo(json.dumps(runs, indent=2, ensure_ascii=False))
        return
    for r in runs:
        counts = "; ".join(
            f"{k}: " + ", ".join(f"{a} {n}" for a, n in v.items()) for k, v in r["counts"].items()
        )
        click.echo(
            f"{r['started']} {r['id']} realm={r['realm']} {r['status']} ok={r['ok']} failed={r['failed']} "
            f"writes={r['writes']} {counts}"
        )
        if r["message"] and r["status"] in ("refused", "crashed"):
            click.echo(f"    {r['message']}")


@sync_group.command("demo-data")
@click.option(
    "--path",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Berkas SQLite SIMPEG demo / demo SIMPEG SQLite file (default: in the cache).",
)
@click.option("--pegawai", "n_pegawai", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
def demo_data_command(db_path: Path | None, n_pegawai: int, seed: int) -> None:
    """Buat data SIMPEG sintetis / generate the synthetic SIMPEG stand-in (no real person's data)."""
    from .config import demo_database_path
    from .demo_data import generate

    summary = generate(db_path or demo_database_path(), n_pegawai, seed)
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
