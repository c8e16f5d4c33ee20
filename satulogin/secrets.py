"""Secrets come from the environment: ``NAME`` or ``NAME_FILE`` (a path), never from the repo."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import MissingSecretError


def read_secret(name: str, *, required: bool = True) -> str | None:
    """Return the secret ``name`` from ``$NAME`` or the file named by ``$NAME_FILE``.

    ``$NAME`` wins when both are set (flags > env > file, as oauth2-proxy does).
    """
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
    if required:
        raise MissingSecretError(
            f"rahasia {name} belum diberikan / secret {name} is not set: "
            f"set ${name} or ${name}_FILE (a path to a file holding it)"
        )
    return None
