#!/usr/bin/env bash
# The README's first command: set everything up and run the main job on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/python-env.sh
exec .venv/bin/satulogin up "$@"
