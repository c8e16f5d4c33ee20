"""The realm as code: declarations in ``realm/banten/`` -> plan -> apply (see README.md)."""

from __future__ import annotations

from .engine import ApplyResult, apply_realm, execute_plan, plan_realm
from .loader import DEFAULT_DIR, load_declarations
from .plan import Change, FieldChange, RealmPlan
from .schema import ClientDecl, Declarations, secret_env_name

__all__ = [
    "DEFAULT_DIR",
    "ApplyResult",
    "Change",
    "ClientDecl",
    "Declarations",
    "FieldChange",
    "RealmPlan",
    "apply_realm",
    "execute_plan",
    "load_declarations",
    "plan_realm",
    "secret_env_name",
]
