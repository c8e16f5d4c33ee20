"""Sample app for app teams: a tiny "Sistem Informasi Pegawai" guarded by Banten Satu Login.

Configuration (SATULOGIN_* keys) comes from, lowest to highest precedence:
a config file named by ``SATULOGIN_CONFIG_FILE`` (the file ``satulogin app register`` writes:
``.json``, ``.env``-style ``KEY=VALUE`` lines, or a Python ``.cfg/.py`` file), then environment
variables, then ``overrides`` (tests). Run it with::

    SATULOGIN_CONFIG_FILE=contoh.env FLASK_SECRET_KEY=... flask --app example.app run --port 5000
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, render_template_string
from flask_satulogin import (
    SatuLogin,
    bearer_required,
    current_record,
    current_user,
    login_required,
    roles_accepted,
    roles_required,
)


def read_config_file(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
        return {str(k): v for k, v in data.items()}
    if path.suffix in (".py", ".cfg"):
        scope: dict[str, Any] = {}
        exec(compile(text, str(path), "exec"), scope)  # noqa: S102 - the app's own config file
        return {k: v for k, v in scope.items() if k.isupper()}
    values: dict[str, Any] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip('"').strip("'")
    return values


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {}
    file_path = (overrides or {}).get("SATULOGIN_CONFIG_FILE") or os.environ.get("SATULOGIN_CONFIG_FILE")
    if file_path:
        config.update(read_config_file(file_path))
    config.update({k: v for k, v in os.environ.items() if k.startswith("SATULOGIN_")})
    if os.environ.get("FLASK_SECRET_KEY"):
        config["SECRET_KEY"] = os.environ["FLASK_SECRET_KEY"]
    config.update(overrides or {})
    return config


PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Contoh Aplikasi SatuLogin</title>
</head><body><h1>Sistem Informasi Pegawai (contoh / sample)</h1>
{% if current_user.is_authenticated %}
<p>Masuk sebagai / Signed in as <b id="user-name">{{ current_user.name }}</b></p>
<dl>
<dt>NIP</dt><dd id="user-nip">{{ current_user.nip }}</dd>
<dt>Unit</dt><dd id="user-unit">{{ current_user.unit_nama }} ({{ current_user.unit_kode }})</dd>
<dt>Jabatan</dt><dd id="user-jabatan">{{ current_user.jabatan_nama }}</dd>
<dt>Eselon / Golongan</dt><dd id="user-eselon">{{ current_user.eselon }} / {{ current_user.golongan }}</dd>
<dt>Peran realm / Realm roles</dt>
<dd id="user-realm-roles">{{ current_user.realm_roles|sort|join(", ") }}</dd>
<dt>Peran aplikasi / App roles</dt><dd id="user-client-roles">{{ app_roles|sort|join(", ") }}</dd>
</dl>
<p><a id="link-pimpinan" href="/pimpinan">Dasbor pimpinan</a> ·
<a id="logout" href="{{ url_for('satulogin.logout') }}">Keluar / Log out</a></p>
{% else %}
<p id="anonymous">Anda belum masuk / You are not signed in.</p>
<p><a id="login" href="{{ url_for('satulogin.login', next='/profil') }}">Masuk / Sign in</a></p>
{% endif %}</body></html>"""


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(load_config(overrides))
    SatuLogin(app)
    client_id = app.config["SATULOGIN_CLIENT_ID"]

    def page() -> str:
        roles = current_user.client_roles.get(client_id, frozenset()) if current_user.is_authenticated else ()
        return render_template_string(PAGE, app_roles=roles)

    @app.get("/")
    def home() -> str:
        return page()

    @app.get("/profil")
    @login_required
    def profil() -> str:
        return page()

    @app.get("/pimpinan")
    @roles_required("pimpinan", client=client_id)
    def pimpinan() -> str:
        return render_template_string("<h1 id='pimpinan'>Dasbor Pimpinan</h1><p>{{ u.name }}</p>",
                                      u=current_user)

    @app.get("/pegawai-atau-pimpinan")
    @roles_accepted("pegawai", f"{client_id}:pimpinan")
    def pegawai_atau_pimpinan() -> str:
        return "<h1 id='ok'>OK</h1>"

    @app.get("/session-info")
    @login_required
    def session_info() -> Any:
        record = current_record()
        assert record is not None
        return jsonify({"sub": record.sub, "sid": record.sid, "access_iat": record.claims.get("iat"),
                        "access_expires_at": record.access_expires_at,
                        "refreshed_count": record.refreshed_count, "user": current_user.to_dict()})

    @app.get("/api/me")
    @bearer_required
    def api_me() -> Any:
        return jsonify(current_user.to_dict())

    @app.get("/api/laporan")
    @bearer_required(roles=["api-read"], client=client_id)
    def api_laporan() -> Any:
        return jsonify({"laporan": [], "diminta_oleh": current_user.username})

    return app


if __name__ == "__main__":  # pragma: no cover - manual run
    create_app().run(port=int(os.environ.get("PORT", "5000")))
