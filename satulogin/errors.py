"""Errors that speak to a person.

Every error the CLI can meet derives from :class:`SatuLoginError`; the CLI prints the
message (never a traceback) and exits with ``exit_code``. ``code`` is machine-readable,
in the manner of Authlib's ``error = "mismatching_state"``.
"""

from __future__ import annotations

from collections.abc import Iterable


class SatuLoginError(Exception):
    """A problem a person can act on. ``str(err)`` is the sentence to show them."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(SatuLoginError):
    """A configuration or declaration file is invalid. Lists *every* problem at once."""

    exit_code = 2
    code = "invalid_configuration"

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"konfigurasi tidak valid / invalid configuration: {source}\n{lines}")


class MissingSecretError(SatuLoginError):
    exit_code = 2
    code = "missing_secret"


class KeycloakServerError(SatuLoginError):
    """The local Keycloak server could not be fetched, started or stopped."""

    code = "keycloak_server"


class KeycloakApiError(SatuLoginError):
    """The Keycloak Admin REST API refused a request (after retries)."""

    code = "keycloak_api"

    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.body = body
        super().__init__(f"Keycloak menolak {method} {path}: HTTP {status} {body[:300]}".rstrip())


class SafetyStop(SatuLoginError):
    """A safety rail stopped a run before anything was written."""

    exit_code = 3
    code = "safety_stop"
