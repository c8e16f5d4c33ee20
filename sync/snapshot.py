"""What the HR sources say, after validation: the input of the planner."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Jabatan, Pegawai, Quarantined, Unit


@dataclass
class HrSnapshot:
    """Validated units, jabatan and pegawai keyed on their codes, plus the quarantined rows.

    ``source_counts`` is how many records each kind had *before* validation, so the safety
    rails can tell "the source shrank" from "many rows were quarantined".
    """

    units: dict[str, Unit] = field(default_factory=dict)
    jabatan: dict[str, Jabatan] = field(default_factory=dict)
    pegawai: dict[str, Pegawai] = field(default_factory=dict)
    quarantine: list[Quarantined] = field(default_factory=list)
    source_counts: dict[str, int] = field(default_factory=dict)
