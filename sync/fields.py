"""Checks for single fields as HR sources write them: kunker codes, eselon, golongan, e-mail,
and cells that must be text (codes a spreadsheet may have turned into numbers)."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from .model import ESELON_ORDER, GOLONGAN_ORDER, JenisJabatan

# A dot-atom local part (no leading, trailing or doubled dot), as Keycloak's e-mail validator
# wants: our bulk extension writes past that validator, and an account holding an address it
# refuses could never be updated (or disabled) through the Admin API again.
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
# Keycloak's person-name-prohibited-characters validator on firstName and lastName (its
# \p{Cntrl} and \v spelled out), and the 255-character limit of names and profile attributes.
_NAME_PROHIBITED = re.compile(r'[<>&"$%!#?§;*~/\\|^=\[\]{}()\x00-\x1f\x7f\x85\u2028\u2029]')
MAX_TEXT = 255
_JABATAN_KODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ESELON = re.compile(r"^(I{1,3}|IV|V)[./ ]?([ab])$", re.IGNORECASE)
_PPPK_GOLONGAN = {
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
}

JENIS_VALUES: dict[str, JenisJabatan] = {
    "struktural": JenisJabatan.STRUKTURAL,
    "jpt": JenisJabatan.STRUKTURAL,
    "jabatan pimpinan tinggi": JenisJabatan.STRUKTURAL,
    "administrator": JenisJabatan.STRUKTURAL,
    "pengawas": JenisJabatan.STRUKTURAL,
    "s": JenisJabatan.STRUKTURAL,
    "fungsional": JenisJabatan.FUNGSIONAL,
    "jft": JenisJabatan.FUNGSIONAL,
    "fungsional tertentu": JenisJabatan.FUNGSIONAL,
    "f": JenisJabatan.FUNGSIONAL,
    "pelaksana": JenisJabatan.PELAKSANA,
    "jfu": JenisJabatan.PELAKSANA,
    "fungsional umum": JenisJabatan.PELAKSANA,
    "p": JenisJabatan.PELAKSANA,
}


def as_text(value: object) -> str:
    """A non-code cell as text (numbers are fine here, e.g. a golongan typed as 3)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def code_text(value: object, label: str) -> tuple[str, str | None]:
    """A code cell (NIP, kunker) as text, or a problem when the source gave a number: a
    spreadsheet keeps 15 significant digits, so the code may already be wrong."""
    if value is None:
        return "", None
    if isinstance(value, bool | int | float | Decimal):
        shown = f"{value:.6g}" if isinstance(value, float) else str(value)
        return shown, (
            f"{label} dibaca sebagai angka ({shown}), bukan teks; format kolom {label} sebagai "
            f"Teks / {label} arrived as a number, not text; format the {label} column as Text"
        )
    return str(value).strip(), None


def kunker_problems(kode: str, label: str = "kunker") -> list[str]:
    """A kunker is 15 digits: ``00`` + two digits per level (1..5 levels, no gaps) + ``000``."""
    if not kode:
        return [f"{label} kosong / {label} is empty"]
    if not (kode.isascii() and kode.isdigit()) or len(kode) != 15:
        return [f"{label} {kode!r} harus 15 digit angka / {label} must be 15 digits"]
    problems: list[str] = []
    if not kode.startswith("00"):
        problems.append(f"{label} {kode} harus diawali 00 / {label} must start with 00")
    if not kode.endswith("000"):
        problems.append(f"{label} {kode} harus diakhiri 000 / {label} must end with 000")
    pairs = [kode[i : i + 2] for i in range(2, 12, 2)]
    if pairs[0] == "00":
        problems.append(f"{label} {kode} tidak punya level 1 (OPD) / {label} has no level-1 (OPD) part")
    else:
        depth = pairs.index("00") if "00" in pairs else 5
        if any(p != "00" for p in pairs[depth:]):
            problems.append(
                f"{label} {kode} melompati level (ada 00 di tengah) / "
                f"{label} skips a level (00 between levels)"
            )
    return problems


@cache  # a few dozen distinct values across a province: parse each once
def normalise_eselon(value: str) -> str | None:
    """``II.a``, ``IIa``, ``II/a``, ``ii a`` -> ``II.a``; ``None`` when it is not an eselon."""
    match = _ESELON.match(value.strip())
    if not match:
        return None
    eselon = f"{match.group(1).upper()}.{match.group(2).lower()}"
    return eselon if eselon in ESELON_ORDER else None


@cache
def normalise_golongan(value: str) -> str | None:
    """``III/a``, ``III.a``, ``IIIa``, ``iii/a`` -> ``III/a``; PPPK ``IX`` kept; else ``None``."""
    text = value.strip().upper().replace(" ", "")
    if text in _PPPK_GOLONGAN:
        return text
    match = re.match(r"^(I{1,3}|IV)[./]?([A-E])$", text)
    if not match:
        return None
    golongan = f"{match.group(1)}/{match.group(2).lower()}"
    return golongan if golongan in GOLONGAN_ORDER else None


def email_ok(email: str) -> bool:
    local = email.partition("@")[0]
    return len(email) <= 254 and len(local) <= 64 and _EMAIL.match(email) is not None


def name_problems(value: str, label: str) -> list[str]:
    """What Keycloak would refuse in a person's name part (nama, gelar)."""
    out = []
    bad = sorted(set(_NAME_PROHIBITED.findall(value)))
    if bad:
        shown = " ".join(repr(c) for c in bad)
        out.append(
            f"{label} berisi karakter yang ditolak Keycloak ({shown}) / {label} holds characters Keycloak "
            f"refuses in a name ({shown})"
        )
    if len(value) > MAX_TEXT:
        out.append(too_long(label, label))
    return out


def too_long(what_id: str, what_en: str) -> str:
    return f"{what_id} lebih dari {MAX_TEXT} karakter / {what_en} is longer than {MAX_TEXT} characters"


def jabatan_kode_ok(kode: str) -> bool:
    """Jabatan become roles named ``jabatan-<kode>``: keep the code to URL-safe characters."""
    return _JABATAN_KODE.match(kode) is not None
