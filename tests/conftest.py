"""Test session wiring: every module in ``tests/fixtures/`` is a pytest plugin.

Each area (Keycloak, realm, sync, adapters, browser) keeps its fixtures in its own module
there, so parts of the suite can grow without editing one shared file.
"""

from __future__ import annotations

from pathlib import Path

pytest_plugins = sorted(
    f"tests.fixtures.{path.stem}"
    for path in (Path(__file__).parent / "fixtures").glob("*.py")
    if path.stem != "__init__"
)
