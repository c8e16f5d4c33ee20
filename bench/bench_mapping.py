"""Benchmark of the jabatan → role mapping at province scale (10,000 pegawai, ~2,000 jabatan).

    .venv/bin/python bench/bench_mapping.py [--pegawai 10000] [--rules 60]

Measures, in the same run and on the same data (``sync.demo_data.generate``):
- the baseline: recomputing the full desired state from scratch (every rule tested on every
  person) and diffing it against what is applied;
- a one-rule preview through the index (only the changed rule's roles are recomputed);
- explain for one person (in memory: the person's facts and direct roles, all rules);
and prints the ratios. Targets: preview < 1 s, explain < 100 ms. Exit code 1 if one is missed.
Keycloak is not involved: the state read (paged users + role holders) is the same for both
ways and is measured by the sync's benchmark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sync.config import default_config  # noqa: E402
from sync.demo_data import generate  # noqa: E402
from sync.loader import load_snapshot  # noqa: E402
from sync.mapping.engine import desired_state_from_scratch  # noqa: E402
from sync.mapping.explain import explain  # noqa: E402
from sync.mapping.index import PopulationIndex  # noqa: E402
from sync.mapping.plan import build_plan, diff, preview_change, recorded_holders  # noqa: E402
from sync.mapping.rules import RuleSet, load_ruleset  # noqa: E402
from sync.mapping.subjects import subjects_from_snapshot  # noqa: E402

TODAY = dt.date(2026, 6, 1)
PREVIEW_TARGET_S = 1.0
EXPLAIN_TARGET_S = 0.100


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Median wall time of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def province_rules(snapshot: Any, extra: int) -> RuleSet:
    """The repository's rules plus ``extra`` realistic ones: an app per OPD for its officials,
    and jabatan-code rules, so the rule count resembles a province's after a year of use."""
    base = load_ruleset(REPO / "mapping" / "rules.yaml")
    data = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    opds = sorted(u.kode for u in snapshot.units.values() if u.kode[4:] == "0" * 11)
    codes = sorted(snapshot.jabatan)
    for i in range(extra):
        if i % 2 == 0:
            opd = opds[(i // 2) % len(opds)]
            data["rules"].append({"id": f"operator-opd-{i}", "roles": [f"aplikasi-{opd[2:4]}/operator"],
                                  "match": {"unit": [opd], "jenis": ["struktural", "fungsional"]}})
        else:
            picked = codes[(i * 37) % len(codes):][:5]
            data["rules"].append({"id": f"jabatan-{i}", "roles": [f"aplikasi-{i % 7}/pengguna"],
                                  "match": {"jabatan": picked, "golongan": {"from": "III/a"}}})
    data["exceptions"] = [{"nip": nip, "effect": "deny", "roles": ["pegawai"], "reason": "bench"}
                          for nip in sorted(snapshot.pegawai)[:20]]
    return RuleSet.model_validate(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pegawai", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=60, help="extra synthetic rules")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = generate(Path(tmp) / "simpeg.db", args.pegawai)
        snapshot = load_snapshot(default_config(Path(tmp) / "simpeg.db"))
        print(f"data: {len(snapshot.pegawai)} pegawai, {len(snapshot.jabatan)} jabatan, "
              f"{len(snapshot.units)} unit ({summary['opd']} OPD), "
              f"made in {time.perf_counter() - start:.1f} s")

    old = province_rules(snapshot, args.rules)
    subjects = subjects_from_snapshot(snapshot)
    # The realm as the old rules left it: every grant applied and recorded.
    applied = desired_state_from_scratch(subjects, old, TODAY).holders
    subjects = {n: replace(s, recorded_grants=frozenset(r for r, h in applied.items() if n in h))
                for n, s in subjects.items()}
    held = {role: set(h) for role, h in applied.items()}
    print(f"rules: {len(old.rules)} rules, {len(old.exceptions)} exceptions, "
          f"{sum(len(h) for h in held.values())} grants applied")

    # The one-rule change: OPD heads' dashboard access widened to eselon III.a.
    data = old.model_dump(mode="json", by_alias=True, exclude_none=True)
    changed = next(r for r in data["rules"] if r["id"] == "pimpinan-opd")
    changed["match"]["eselon"] = {"from": "II.a", "to": "III.a"}
    new = RuleSet.model_validate(data)

    def from_scratch() -> Any:
        recorded = recorded_holders(subjects)
        desired = desired_state_from_scratch(subjects, new, TODAY)
        return diff(subjects, recorded, held, desired, set(desired.holders) | set(recorded))

    baseline_s, full = timed(from_scratch)

    index_s, index = timed(lambda: PopulationIndex(subjects), repeat=1)
    warm_s, _ = timed(lambda: build_plan(index, old, held, TODAY), repeat=1)   # fills the match cache
    recorded = recorded_holders(subjects)
    # Each run gets a fresh copy of the cache so the changed rule is computed every time.
    cache = dict(index._match_cache)

    def one_rule_preview() -> Any:
        index._match_cache = dict(cache)
        return preview_change(index, old, new, held, TODAY, recorded=recorded)

    preview_s, quick = timed(one_rule_preview, repeat=5)
    full_indexed_s, _ = timed(lambda: build_plan(index, new, held, TODAY))

    role = next(iter(quick.changes))
    assert quick.changes[role].gains == full.changes[role].gains, "preview disagrees with the full recompute"
    assert quick.changes[role].losses == full.changes[role].losses

    person = next(s for s in subjects.values() if s.eselon == "III.a")
    explain_s, result = timed(lambda: explain(person, new, person.recorded_grants, today=TODAY), repeat=20)
    assert any(r.role == "dashboard-pimpinan/pimpinan" and r.status == "pending-grant" for r in result.roles)

    print(f"one-rule change: +{quick.gains} -{quick.losses} ({role.key})")
    print(f"{'full recompute from scratch (baseline)':44} {baseline_s * 1000:9.1f} ms")
    print(f"{'build index (once per state read)':44} {index_s * 1000:9.1f} ms")
    print(f"{'full plan through the index (warm-up)':44} {warm_s * 1000:9.1f} ms")
    print(f"{'full plan through the index, new rules':44} {full_indexed_s * 1000:9.1f} ms")
    print(f"{'one-rule preview':44} {preview_s * 1000:9.1f} ms   "
          f"x{baseline_s / preview_s:,.0f} faster than the baseline (target < {PREVIEW_TARGET_S:.0f} s)")
    print(f"{'explain one person':44} {explain_s * 1000:9.3f} ms   "
          f"x{baseline_s / explain_s:,.0f} faster than the baseline "
          f"(target < {EXPLAIN_TARGET_S * 1000:.0f} ms)")
    ok = preview_s < PREVIEW_TARGET_S and explain_s < EXPLAIN_TARGET_S
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
