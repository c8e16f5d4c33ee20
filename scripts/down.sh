#!/usr/bin/env bash
# Stop everything ./scripts/up.sh started.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/satulogin down "$@"
