"""Secrets come from the environment, never from the repo.

Precedence (first found wins): ``$NAME``; the file named by ``$NAME_FILE``; the file ``NAME``
in the local secrets folder (``$SATULOGIN_SECRETS_DIR``, default ``.cache/secrets``, mode 0700),
where ``satulogin up`` keeps the demo's generated client secrets.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import MissingSecretError
from .paths import cache_dir


def secrets_dir() -> Path:
    override = os.environ.get("SATULOGIN_SECRETS_DIR")
    path = Path(override) if override else cache_dir() / "secrets"
    return path


def store_secret(name: str, value: str) -> Path:
    """Keep ``value`` as ``NAME`` in the local secrets folder (0600), for ``read_secret``."""
    folder = secrets_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return path


def read_secret(name: str, *, required: bool = True) -> str | None:
    """Return the secret ``name`` (see the module docstring for where it is looked up)."""
    value = os.environ.get(name)
    if value:
        return value
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        path = Path(file_path)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise MissingSecretError(
                f"{name}_FILE menunjuk ke {path}, yang tidak bisa dibaca / cannot be read: {exc.strerror}"
            ) from exc
    stored = secrets_dir() / name
    if stored.is_file():
        return stored.read_text(encoding="utf-8").strip()
    if required:
        raise MissingSecretError(
            f"rahasia {name} belum diberikan / secret {name} is not set: "
            f"set ${name} or ${name}_FILE (a path to a file holding it)"
        )
    return None
