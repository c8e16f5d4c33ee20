"""The app catalogue: which client id is which application, and where it lives.

A person sees an app when their token carries roles of its client (``resource_access``) or a
realm role the entry names in ``open_to``. URLs come from ``data/apps.json`` or the file named
by ``DASHBOARD_APPS_FILE`` (a deployment points at its real hosts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from satulogin.errors import ConfigError

from .viewer import Viewer

DEFAULT_CATALOGUE = Path(__file__).resolve().parent / "data" / "apps.json"


@dataclass(frozen=True)
class AppEntry:
    client_id: str
    nama: str
    name_en: str
    url: str
    keterangan: str = ""
    description_en: str = ""
    open_to: tuple[str, ...] = ()


def load_catalogue(path: Path = DEFAULT_CATALOGUE) -> list[AppEntry]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(str(path), [f"katalog aplikasi tidak bisa dibaca / app catalogue unreadable: {exc}"]
                          ) from exc
    problems: list[str] = []
    entries = []
    for i, item in enumerate(raw.get("apps", []), start=1):
        missing = [k for k in ("client_id", "nama", "url") if not item.get(k)]
        if missing:
            problems.append(f"apps[{i}]: tanpa / missing {', '.join(missing)}")
            continue
        entries.append(AppEntry(
            client_id=item["client_id"], nama=item["nama"], name_en=item.get("name_en", item["nama"]),
            url=item["url"], keterangan=item.get("keterangan", ""),
            description_en=item.get("description_en", ""), open_to=tuple(item.get("open_to", ())),
        ))
    if problems:
        raise ConfigError(str(path), problems)
    return entries


def apps_for(viewer: Viewer, catalogue: list[AppEntry]) -> list[AppEntry]:
    return [app for app in catalogue
            if viewer.has_client(app.client_id) or set(app.open_to) & set(viewer.realm_roles)]
