"""Errors of the OIDC core. Each carries a machine-readable ``code`` (as Authlib's
``error = "mismatching_state"``) and a sentence for a person, in Bahasa Indonesia and English."""

from __future__ import annotations


class OIDCError(Exception):
    """Base of every problem the core reports."""

    code = "oidc_error"
    #: HTTP status an adapter should answer with.
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class ConfigurationError(OIDCError):
    """The adapter's configuration is incomplete or wrong; lists every problem at once."""

    code = "invalid_configuration"
    status = 500

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"konfigurasi SatuLogin tidak valid / invalid SatuLogin configuration:\n{lines}")


class ProviderError(OIDCError):
    """Keycloak could not be reached or answered something unusable."""

    code = "provider_unavailable"
    status = 503


class InvalidToken(OIDCError):
    """A token failed validation. ``code`` names the reason (``expired``, ``bad_signature``...)."""

    code = "invalid_token"
    status = 401


class LoginFlowError(OIDCError):
    """The login round trip cannot be completed (unknown or replayed ``state``, error from Keycloak)."""

    code = "login_failed"
    status = 400
