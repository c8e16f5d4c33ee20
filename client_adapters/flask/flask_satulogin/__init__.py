"""flask_satulogin — Banten Satu Login for Flask apps.

    from flask_satulogin import SatuLogin, current_user, login_required, roles_required

    satulogin = SatuLogin(app)          # or SatuLogin() + satulogin.init_app(app)
"""

from __future__ import annotations

from satulogin_oidc import AnonymousUser, RoleRef, SatuLoginUser

from .decorators import bearer_required, login_required, roles_accepted, roles_required
from .extension import SatuLogin, SatuLoginState, current_record, current_user, get_state

__all__ = [
    "AnonymousUser", "RoleRef", "SatuLogin", "SatuLoginState", "SatuLoginUser", "bearer_required",
    "current_record", "current_user", "get_state", "login_required", "roles_accepted", "roles_required",
]
