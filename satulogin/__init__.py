"""Banten Satu Login: shared core (Keycloak server, Admin REST client, errors, CLI)."""

from __future__ import annotations

__version__ = "0.1.0"
