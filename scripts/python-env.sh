#!/usr/bin/env bash
# Create .venv and install the project (and, with "test", what the tests need). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python3 -m venv .venv
stamp=".venv/.installed-${extra:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ client_adapters/flask/pyproject.toml -nt "$stamp" ] 2>/dev/null; then
  .venv/bin/pip install -q --upgrade pip
  if [ "$extra" = "test" ]; then
    .venv/bin/pip install -q -e ".[test]" --config-settings editable_mode=compat
  else
    .venv/bin/pip install -q -e . --config-settings editable_mode=compat
  fi
  if [ -f client_adapters/flask/pyproject.toml ]; then
    .venv/bin/pip install -q -e client_adapters/flask
  fi
  touch "$stamp"
fi
