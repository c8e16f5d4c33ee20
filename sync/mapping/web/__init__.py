"""The admin page for the jabatan → role mapping (Bahasa Indonesia), port 5200 in the demo.

from sync.mapping.web import create_app
app = create_app({...})      # SATULOGIN_* for the login, MAPPING_* for the realm and files
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
