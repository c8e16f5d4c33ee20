"""Synthetic people: names with gelar, birth dates and NIPs, golongan, e-mail.

Everything is drawn from a seeded ``random.Random``; nothing describes a real person.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from .nip import make_nip

EMAIL_DOMAIN = "bantenprov.go.id"
# The generator's "today": a fixed date, so the same seed gives the same data on any day.
REFERENCE_DATE = date(2026, 1, 1)

GOLONGAN_BY_ESELON = {
    "I.b": ("IV/d", "IV/e"),
    "II.a": ("IV/c", "IV/d"),
    "II.b": ("IV/b", "IV/c"),
    "III.a": ("IV/a", "IV/b"),
    "III.b": ("III/d", "IV/a"),
    "IV.a": ("III/c", "III/d"),
    "IV.b": ("III/b", "III/c"),
}
BIRTH_YEARS_BY_ESELON = {
    "I.b": (1966, 1972),
    "II.a": (1966, 1978),
    "II.b": (1968, 1980),
    "III.a": (1968, 1984),
    "III.b": (1970, 1986),
    "IV.a": (1972, 1990),
    "IV.b": (1975, 1992),
}
S1 = ("S.E.", "S.H.", "S.Sos.", "S.Kom.", "S.T.", "S.IP.", "S.AP.", "S.Pd.", "S.Si.", "S.Ak.")
S2 = ("M.Si.", "M.M.", "M.AP.", "M.T.", "M.H.", "M.Pd.", "M.Kom.", "M.E.")


@dataclass(frozen=True, slots=True)
class Person:
    nip: str
    nama: str
    gelar_depan: str
    gelar_belakang: str
    jenis_kelamin: int
    tanggal_lahir: date
    golongan: str


@cache
def name_lists() -> dict[str, list[str]]:
    data = resources.files("sync").joinpath("data/nama.json").read_text(encoding="utf-8")
    lists: dict[str, list[str]] = json.loads(data)
    return lists


def golongan_for(rng: random.Random, eselon: str | None, jenis: str, jabatan_nama: str) -> str:
    if eselon:
        return rng.choice(GOLONGAN_BY_ESELON[eselon])
    if jenis == "fungsional":
        if "Madya" in jabatan_nama:
            return rng.choice(("IV/a", "IV/b", "IV/c"))
        if "Muda" in jabatan_nama:
            return rng.choice(("III/c", "III/d"))
        if "Pertama" in jabatan_nama:
            return rng.choice(("III/a", "III/b"))
        return rng.choice(("II/c", "II/d", "III/a"))
    return rng.choice(("II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c"))


def birth_years_for(eselon: str | None, golongan: str) -> tuple[int, int]:
    if eselon:
        return BIRTH_YEARS_BY_ESELON[eselon]
    if golongan.startswith("IV"):
        return (1966, 1980)
    if golongan.startswith("III"):
        return (1968, 1996)
    return (1970, 2001)


def make_name(rng: random.Random, female: bool) -> str:
    lists = name_lists()
    first = rng.choice(lists["wanita"] if female else lists["pria"])
    words = [first]
    if rng.random() < 0.25:
        words.append(rng.choice(lists["nama_tengah"]))
    if rng.random() < 0.9:
        words.append(rng.choice(lists["belakang"]))
    return " ".join(dict.fromkeys(words))  # no "Nur Nur"


def make_gelar(
    rng: random.Random, female: bool, born: date, golongan: str, eselon: str | None, jabatan_nama: str
) -> tuple[str, str]:
    front: list[str] = []
    back: list[str] = []
    senior = golongan.startswith("IV") or (eselon is not None and eselon < "III.b")
    if jabatan_nama.startswith("Dokter"):
        front.append("dr.")
    elif senior and rng.random() < 0.12:
        front.append("Dr.")
    elif born.year < 1972 and rng.random() < 0.15:
        front.append("Dra." if female else "Drs.")
    elif born.year < 1980 and not female and rng.random() < 0.05:
        front.append("Ir.")
    if rng.random() < 0.12:
        front.append("Hj." if female else "H.")
    if not front or front[0] not in ("Drs.", "Dra."):
        if golongan.startswith(("III", "IV")):
            if "Komputer" in jabatan_nama:
                back.append("S.Kom.")
            elif "Perawat" in jabatan_nama:
                back.append("S.Kep.")
            elif front[:1] != ["dr."]:
                back.append(rng.choice(S1))
        elif rng.random() < 0.4:
            back.append("A.Md.")
    if (senior or golongan >= "III/c") and rng.random() < (0.7 if senior else 0.25):
        back.append(rng.choice(S2))
    return " ".join(front), ", ".join(back)


def make_email(rng: random.Random, nama: str, nip: str, used: set[str]) -> str | None:
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.3:
        local = nip
    else:
        words = [re.sub(r"[^a-z]", "", w.lower()) for w in nama.split()]
        words = [w for w in words if w]
        local = ".".join(words[:1] + words[-1:]) if len(words) > 1 else words[0]
    email = f"{local}@{EMAIL_DOMAIN}"
    n = 1
    while email in used:
        n += 1
        email = f"{local}{n}@{EMAIL_DOMAIN}"
    used.add(email)
    return email


def make_person(
    rng: random.Random,
    used_nips: set[str],
    *,
    eselon: str | None,
    jenis: str,
    jabatan_nama: str,
    birth_years: tuple[int, int] | None = None,
) -> Person:
    female = rng.random() < (0.6 if jenis != "struktural" else 0.35)
    golongan = golongan_for(rng, eselon, jenis, jabatan_nama)
    low, high = birth_years or birth_years_for(eselon, golongan)
    born = date(rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))
    tmt_year = min(born.year + rng.randint(21, 32), REFERENCE_DATE.year - 1)
    tmt_month = rng.choice((1, 2, 3, 4, 12)) if rng.random() < 0.8 else rng.randint(1, 12)
    gender = 2 if female else 1
    urutan = 1
    nip = make_nip(born, tmt_year, tmt_month, gender, urutan)
    while nip in used_nips:
        urutan += 1
        nip = make_nip(born, tmt_year, tmt_month, gender, urutan)
    used_nips.add(nip)
    depan, belakang = make_gelar(rng, female, born, golongan, eselon, jabatan_nama)
    return Person(nip, make_name(rng, female), depan, belakang, gender, born, golongan)
