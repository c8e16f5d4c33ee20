"""Errors of realm/."""

from __future__ import annotations

from satulogin.errors import ConfigError


class DeclarationError(ConfigError):
    """Invalid realm declarations, every problem listed. Exit status 1 (not ConfigError's 2),
    so that ``realm plan``'s exit status 2 keeps meaning "changes pending"."""

    exit_code = 1
