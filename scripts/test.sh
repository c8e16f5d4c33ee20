#!/usr/bin/env bash
# The README's test command: install what the tests need, then lint, type-check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
bash scripts/python-env.sh test
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy satulogin realm sync flask_demo_app bench
(cd client_adapters/flask && ../../.venv/bin/mypy satulogin_oidc flask_satulogin)
echo "== pytest"
exec .venv/bin/pytest "$@"
