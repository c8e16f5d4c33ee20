"""Where things live on disk: the repository, and the cache that git ignores."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """The cache folder (downloads, Keycloak instances, run logs). ``SATULOGIN_CACHE`` overrides."""
    override = os.environ.get("SATULOGIN_CACHE")
    path = Path(override) if override else REPO_ROOT / ".cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def themes_dir() -> Path:
    return REPO_ROOT / "themes"
