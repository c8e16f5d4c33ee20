"""The rule set as data: what an admin writes in ``mapping/rules.yaml`` or the admin page.

This module says what a rule set *is* (pydantic models, ``extra="forbid"``) and turns a
file into one, listing every structural problem at once. Whether the rule set fits the realm
(apps, roles, units, jabatan exist) is :mod:`sync.mapping.validate`'s job.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from satulogin.errors import ConfigError

from ..model import ESELON_ORDER, GOLONGAN_ORDER, JenisJabatan, StatusPegawai
from .roles import RoleRef

Scope = Literal["provinsi", "opd", "unit"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EselonRange(_Strict):
    """``from`` is the higher eselon (I.a is the top): ``{to: II.a}`` means "II.a and above"."""

    from_: str = Field(default=ESELON_ORDER[0], alias="from")
    to: str = ESELON_ORDER[-1]

    @model_validator(mode="after")
    def _check(self) -> EselonRange:
        for value in (self.from_, self.to):
            if value not in ESELON_ORDER:
                raise ValueError(
                    f"eselon {value!r} tidak dikenal / unknown (one of {', '.join(ESELON_ORDER)})"
                )
        if ESELON_ORDER.index(self.from_) > ESELON_ORDER.index(self.to):
            raise ValueError(
                f"rentang mustahil / impossible range: from {self.from_} is below to {self.to} "
                "(I.a is the highest)"
            )
        return self

    def levels(self) -> tuple[str, ...]:
        return ESELON_ORDER[ESELON_ORDER.index(self.from_) : ESELON_ORDER.index(self.to) + 1]


class GolonganRange(_Strict):
    """Golongan ruang ascending: ``{from: III/a}`` means "III/a and above"."""

    from_: str = Field(default=GOLONGAN_ORDER[0], alias="from")
    to: str = GOLONGAN_ORDER[-1]

    @model_validator(mode="after")
    def _check(self) -> GolonganRange:
        for value in (self.from_, self.to):
            if value not in GOLONGAN_ORDER:
                raise ValueError(f"golongan {value!r} tidak dikenal / unknown (e.g. III/a, IV/e)")
        if GOLONGAN_ORDER.index(self.from_) > GOLONGAN_ORDER.index(self.to):
            raise ValueError(f"rentang mustahil / impossible range: from {self.from_} is above to {self.to}")
        return self

    def levels(self) -> tuple[str, ...]:
        return GOLONGAN_ORDER[GOLONGAN_ORDER.index(self.from_) : GOLONGAN_ORDER.index(self.to) + 1]


class Match(_Strict):
    """Who a rule applies to. Every given criterion must hold (AND); values within one
    criterion are alternatives (OR). No ``status`` means active pegawai only, so leavers
    lose what the rules gave them."""

    jabatan: list[str] | None = None
    jenis: list[JenisJabatan] | None = None
    eselon: list[str] | EselonRange | None = None
    unit: list[str] | None = None  # kunker codes; each matches its whole subtree
    golongan: list[str] | GolonganRange | None = None
    status: list[StatusPegawai] | None = None
    nip: list[str] | None = None

    @field_validator("eselon")
    @classmethod
    def _eselon_levels(cls, value: list[str] | EselonRange | None) -> list[str] | EselonRange | None:
        if isinstance(value, list):
            bad = [v for v in value if v not in ESELON_ORDER]
            if bad:
                raise ValueError(f"eselon tidak dikenal / unknown: {', '.join(bad)}")
        return value

    @field_validator("golongan")
    @classmethod
    def _golongan_levels(cls, value: list[str] | GolonganRange | None) -> list[str] | GolonganRange | None:
        if isinstance(value, list):
            bad = [v for v in value if v not in GOLONGAN_ORDER]
            if bad:
                raise ValueError(f"golongan tidak dikenal / unknown: {', '.join(bad)}")
        return value

    @field_validator("unit")
    @classmethod
    def _unit_codes(cls, value: list[str] | None) -> list[str] | None:
        for code in value or []:
            if len(code) != 15 or not code.isdigit() or not code.startswith("00"):
                raise ValueError(f"kode unit {code!r} bukan kunker 15 digit / not a 15-digit kunker")
        return value

    @field_validator("nip")
    @classmethod
    def _nips(cls, value: list[str] | None) -> list[str] | None:
        for nip in value or []:
            if len(nip) != 18 or not nip.isdigit():
                raise ValueError(f"NIP {nip!r} harus 18 digit / must be 18 digits")
        return value

    def eselon_levels(self) -> tuple[str, ...] | None:
        if self.eselon is None:
            return None
        return tuple(self.eselon) if isinstance(self.eselon, list) else self.eselon.levels()

    def golongan_levels(self) -> tuple[str, ...] | None:
        if self.golongan is None:
            return None
        return tuple(self.golongan) if isinstance(self.golongan, list) else self.golongan.levels()

    def statuses(self) -> tuple[StatusPegawai, ...]:
        return tuple(self.status) if self.status else (StatusPegawai.AKTIF,)

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in type(self).model_fields if name != "status")


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")
    description: str = ""
    effect: Literal["grant", "deny"] = "grant"
    roles: list[str] = Field(min_length=1)
    match: Match = Field(default_factory=Match)
    reason: str | None = None  # required for exceptions
    until: dt.date | None = None  # last day the rule applies (inclusive)

    def role_refs(self) -> tuple[RoleRef, ...]:
        return tuple(RoleRef.parse(r) for r in self.roles)

    def active_on(self, today: dt.date) -> bool:
        return self.until is None or today <= self.until


class Exception_(_Strict):
    """A named exception for one NIP: grant or deny, with a reason and an optional end date."""

    nip: str = Field(pattern=r"^[0-9]{18}$")
    effect: Literal["grant", "deny"]
    roles: list[str] = Field(min_length=1)
    reason: str = Field(min_length=3)
    until: dt.date | None = None

    def as_rule(self, index: int) -> Rule:
        return Rule(
            id=f"pengecualian-{index + 1}-{self.nip}",
            description=self.reason,
            effect=self.effect,
            roles=self.roles,
            match=Match(nip=[self.nip], status=list(StatusPegawai)),
            reason=self.reason,
            until=self.until,
        )


class LingkupRule(_Strict):
    """Which unit subtree a person may see (``lingkup_unit``); the first matching rule wins."""

    match: Match
    scope: Scope


class RuleSet(_Strict):
    version: int = 1
    rules: list[Rule] = Field(default_factory=list)
    exceptions: list[Exception_] = Field(default_factory=list)
    lingkup: list[LingkupRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleSet:
        seen: set[str] = set()
        dupes = [r.id for r in self.rules if r.id in seen or seen.add(r.id)]  # type: ignore[func-returns-value]
        if dupes:
            raise ValueError(f"id aturan ganda / duplicate rule ids: {', '.join(sorted(set(dupes)))}")
        return self

    def all_rules(self) -> list[Rule]:
        """Rules plus exceptions as rules (exceptions match any status: they name one person)."""
        return list(self.rules) + [e.as_rule(i) for i, e in enumerate(self.exceptions)]

    def active_rules(self, today: dt.date) -> list[Rule]:
        return [r for r in self.all_rules() if r.active_on(today)]

    def to_yaml(self) -> str:
        """Only what was said: defaults (effect grant, the open end of a range) stay implicit,
        as an admin would write them; ``version`` is always written."""
        said = self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
        data = {"version": self.version, **{k: said.get(k, []) for k in ("rules", "exceptions", "lingkup")}}
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in str(part) or str(part) in ("EselonRange", "GolonganRange"):
            continue  # pydantic's union branch tags, e.g. "list[str]", "function-after[...]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


# A value that fails one branch of a ``list | range`` union also "fails" the other branch with
# a type mismatch; that message says nothing to a person when a real reason exists.
_BRANCH_NOISE = ("Input should be a valid list", "Input should be a valid dictionary")


def _problems(exc: ValidationError) -> list[str]:
    by_loc: dict[str, list[str]] = {}
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        msgs = by_loc.setdefault(_location(tuple(err["loc"])), [])
        if msg not in msgs:
            msgs.append(msg)
    problems = []
    for loc, msgs in by_loc.items():
        real = [m for m in msgs if not m.startswith(_BRANCH_NOISE)] or msgs
        problems += [f"{loc}: {m}" for m in real]
    return problems


def parse_ruleset(data: Any, source: str) -> RuleSet:
    """Build a RuleSet from parsed YAML/JSON; every structural problem in one ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError(
            source, ["isi berkas harus berupa mapping YAML / the file must hold a YAML mapping"]
        )
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, _problems(exc)) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text: PyYAML would raise on ``2026-13-45`` before we could
    report it with the other problems; pydantic parses (and names) bad dates instead."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_ruleset_text(text: str, source: str = "rules") -> RuleSet:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ConfigError(source, [f"YAML tidak terbaca / unreadable YAML: {exc}"]) from None
    return parse_ruleset(data or {}, source)


def load_ruleset(path: Path) -> RuleSet:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [f"berkas tidak bisa dibaca / cannot read: {exc.strerror}"]) from None
    return parse_ruleset_text(text, str(path))
