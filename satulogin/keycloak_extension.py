"""Build our Keycloak extension (``sync/keycloak_extension``) into a provider jar.

The extension adds bulk creation endpoints for the HR sync under the Admin REST API (see
``BulkSyncResource.java``). It is compiled here with the JDK's ``javac`` against the jars of the
very Keycloak distribution it goes into, so its Keycloak API always matches the server and no
build tool or extra download is needed. Without a JDK the server runs without it and the sync
falls back to the plain Admin REST API (slower, same result).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import KeycloakServerError
from .paths import REPO_ROOT

SOURCE_DIR = REPO_ROOT / "sync" / "keycloak_extension"
JAR_NAME = "satulogin-sync.jar"


def source_digest() -> str:
    """A digest of the extension's sources: part of the server's build marker, so an edited
    extension is rebuilt and Keycloak re-augmented."""
    digest = hashlib.sha256()
    for path in sorted(p for p in SOURCE_DIR.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(SOURCE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def installed_digest(keycloak_home: Path) -> str | None:
    """The source digest of the extension jar in ``keycloak_home``, or None when it has none."""
    stamp = (keycloak_home / "providers" / JAR_NAME).with_suffix(".digest")
    return stamp.read_text() if stamp.exists() else None


def build_extension(keycloak_home: Path) -> Path | None:
    """Compile the extension into ``providers/`` of ``keycloak_home``; returns the jar, or None
    (and removes a stale jar) when this machine has no ``javac``."""
    target = keycloak_home / "providers" / JAR_NAME
    stamp = target.with_suffix(".digest")
    digest = source_digest()
    if target.exists() and stamp.exists() and stamp.read_text() == digest:
        return target
    javac, jar = shutil.which("javac"), shutil.which("jar")
    if javac is None or jar is None:
        target.unlink(missing_ok=True)
        stamp.unlink(missing_ok=True)
        return None
    classpath = str(keycloak_home / "lib" / "lib" / "main" / "*")
    sources = sorted(str(p) for p in (SOURCE_DIR / "src").rglob("*.java"))
    with tempfile.TemporaryDirectory(prefix="satulogin-ext-") as tmp:
        classes = Path(tmp) / "classes"
        classes.mkdir()
        _run([javac, "--release", "17", "-nowarn", "-encoding", "UTF-8", "-d", str(classes),
              "-cp", classpath, *sources])
        shutil.copytree(SOURCE_DIR / "resources", classes, dirs_exist_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        _run([jar, "cf", str(target), "-C", str(classes), "."])
    stamp.write_text(digest)
    return target


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise KeycloakServerError(
            "ekstensi Keycloak gagal dibangun / the Keycloak extension did not build:\n"
            + (result.stdout + result.stderr)[-3000:]
        )
