"""Write the rule set back to its YAML file, keeping the file's leading comment block (the
header that explains the file to a reviewer); the rest is regenerated from the model."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..rules import RuleSet


def write_ruleset(path: Path, ruleset: RuleSet, previous_text: str) -> None:
    header = []
    for line in previous_text.splitlines():
        if line.startswith("#") or not line.strip():
            header.append(line)
        else:
            break
    text = "\n".join(header).rstrip() + "\n" + ruleset.to_yaml() if header else ruleset.to_yaml()
    # Write-then-rename: a reader (the CLI, the dashboard) never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rules-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
