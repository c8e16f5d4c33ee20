from __future__ import annotations

import subprocess
import sys

from satulogin.cli import LAZY_COMMANDS


def test_top_level_help_lists_every_command() -> None:
    # Regression: one lazy entry pointed at a group that did not exist and `satulogin --help`
    # ended in a traceback.
    out = subprocess.run([sys.executable, "-m", "satulogin.cli", "--help"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    listed = {line.split()[0] for line in out.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert set(LAZY_COMMANDS) <= listed, set(LAZY_COMMANDS) - listed
