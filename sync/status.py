"""Status values as the HR systems write them, mapped onto :class:`StatusPegawai`."""

from __future__ import annotations

import re
from functools import cache

from .model import StatusPegawai

# Normalised source value (lower case, single spaces) -> status. Extended by the config's
# ``status_values``; anything else is quarantined rather than guessed.
STATUS_VALUES: dict[str, str] = {
    "aktif": StatusPegawai.AKTIF,
    "pns aktif": StatusPegawai.AKTIF,
    "pppk aktif": StatusPegawai.AKTIF,
    "cpns": StatusPegawai.AKTIF,
    "pns": StatusPegawai.AKTIF,
    "pppk": StatusPegawai.AKTIF,
    "tugas belajar": StatusPegawai.AKTIF,
    "diperbantukan": StatusPegawai.AKTIF,
    "pensiun": StatusPegawai.PENSIUN,
    "purna tugas": StatusPegawai.PENSIUN,
    "pensiun dini": StatusPegawai.PENSIUN,
    "bup": StatusPegawai.PENSIUN,
    "meninggal": StatusPegawai.MENINGGAL,
    "meninggal dunia": StatusPegawai.MENINGGAL,
    "wafat": StatusPegawai.MENINGGAL,
    "cltn": StatusPegawai.CLTN,
    "cuti di luar tanggungan negara": StatusPegawai.CLTN,
    "mutasi keluar": StatusPegawai.MUTASI_KELUAR,
    "mutasi_keluar": StatusPegawai.MUTASI_KELUAR,
    "pindah keluar": StatusPegawai.MUTASI_KELUAR,
    "pindah instansi": StatusPegawai.MUTASI_KELUAR,
    "berhenti": StatusPegawai.BERHENTI,
    "diberhentikan": StatusPegawai.BERHENTI,
    "berhenti atas permintaan sendiri": StatusPegawai.BERHENTI,
    "pemberhentian": StatusPegawai.BERHENTI,
    "pemberhentian tidak dengan hormat": StatusPegawai.BERHENTI,
}


@cache
def normalise(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip().lower())


class StatusMapper:
    def __init__(self, extra: dict[str, str] | None = None, default: str | None = None) -> None:
        self._values = dict(STATUS_VALUES)
        self._values.update({normalise(k): v for k, v in (extra or {}).items()})
        self._default = StatusPegawai(default) if default else None

    def __call__(self, value: str) -> StatusPegawai | None:
        """The status for a source value, or ``None`` when it is unknown."""
        if not value.strip():
            return self._default
        mapped = self._values.get(normalise(value))
        return StatusPegawai(mapped) if mapped is not None else None
