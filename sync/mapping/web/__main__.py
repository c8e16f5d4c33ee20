"""``python -m sync.mapping.web``: serve the admin page on 127.0.0.1:5200 (the demo)."""

from __future__ import annotations

from .app import main

main()
