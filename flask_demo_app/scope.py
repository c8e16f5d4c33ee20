"""Tiered access: which units a person may see, from ``lingkup_unit`` in their token.

``lingkup_unit`` holds kunker prefixes (or whole 15-digit kunker codes, which stand for their
subtree). A head of a Biro holds the Biro's prefix; the Sekda holds ``00`` (every code starts
with it); a staff member holds none and sees no staff figures.
"""

from __future__ import annotations

import re

from sync.model import unit_prefix

from .viewer import Viewer

KUNKER_RE = re.compile(r"^[0-9]{15}$")
PREFIX_RE = re.compile(r"^00[0-9]{0,10}$")


def normalise_prefix(value: str) -> str | None:
    """A kunker prefix from a ``lingkup_unit`` value, or ``None`` when it is not one."""
    value = value.strip()
    if KUNKER_RE.match(value):
        return unit_prefix(value) or "00"
    if PREFIX_RE.match(value) and len(value) % 2 == 0:
        return value
    return None


def visible_prefixes(viewer: Viewer) -> tuple[str, ...]:
    """The viewer's prefixes, with any prefix already covered by a shorter one dropped."""
    found = sorted({p for p in (normalise_prefix(v) for v in viewer.lingkup_unit) if p}, key=len)
    kept: list[str] = []
    for prefix in found:
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return tuple(sorted(kept))


def may_see(viewer: Viewer, kunker: str) -> bool:
    """True when ``kunker`` lies inside one of the viewer's unit subtrees."""
    return any(kunker.startswith(p) for p in visible_prefixes(viewer))


def is_province_wide(viewer: Viewer) -> bool:
    return "00" in visible_prefixes(viewer)
