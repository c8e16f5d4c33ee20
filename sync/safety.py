"""Safety rails: checks that stop a run *before* anything is written.

Like ldap2pg, the tool is safe by default: a run that would disable a large share of the
managed accounts, or that sees an empty or sharply shrunk source, is far more likely a broken
export than a real mass departure. The operator overrides each rail explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from satulogin.errors import SafetyStop

from .plan import SyncPlan


@dataclass(frozen=True)
class SafetyLimits:
    max_disable_share: float = 0.05  # of the managed users
    max_shrink_share: float = 0.10  # source count versus the last successful run
    allow_mass_disable: bool = False
    allow_empty_source: bool = False
    allow_shrink: bool = False


def problems(plan: SyncPlan, limits: SafetyLimits, last_source_total: int | None) -> list[str]:
    """Every rail the plan trips, as sentences (empty when the run may go on)."""
    found: list[str] = []
    if plan.source_total == 0 and not limits.allow_empty_source:
        found.append(
            "sumber pegawai kosong / the pegawai source is empty (a broken export?); "
            "override: --allow-empty-source"
        )
    for kind in plan.empty_sources if not limits.allow_empty_source else []:
        # Every pegawai would then be quarantined (unknown unit or jabatan): say the cause.
        found.append(
            f"sumber {kind} kosong / the {kind} source is empty (a broken export?), so every pegawai "
            "would be quarantined; override: --allow-empty-source"
        )
    if (
        last_source_total
        and plan.source_total < last_source_total
        and not limits.allow_shrink
        and plan.source_total > 0
    ):
        shrink = 1 - plan.source_total / last_source_total
        if shrink > limits.max_shrink_share:
            found.append(
                f"sumber menyusut {shrink:.0%} ({last_source_total} → {plan.source_total} baris) sejak run "
                f"sukses terakhir, batas {limits.max_shrink_share:.0%} / the source shrank {shrink:.0%} "
                f"since the last successful run (limit {limits.max_shrink_share:.0%}); "
                "override: --allow-shrink"
            )
    disables = len(plan.of("user", "disable"))
    if disables and plan.managed_users and not limits.allow_mass_disable:
        share = disables / plan.managed_users
        if share > limits.max_disable_share:
            found.append(
                f"{disables} dari {plan.managed_users} akun terkelola ({share:.1%}) akan dinonaktifkan, "
                f"batas {limits.max_disable_share:.0%} / {disables} of {plan.managed_users} managed "
                f"accounts ({share:.1%}) would be disabled (limit {limits.max_disable_share:.0%}); "
                "override: --allow-mass-disable"
            )
    return found


def check(plan: SyncPlan, limits: SafetyLimits, last_source_total: int | None) -> None:
    """Raise :class:`SafetyStop` naming every tripped rail."""
    found = problems(plan, limits, last_source_total)
    if found:
        raise SafetyStop(
            "sync dihentikan sebelum menulis apa pun / sync stopped before writing anything:\n"
            + "\n".join(f"  - {p}" for p in found)
        )
