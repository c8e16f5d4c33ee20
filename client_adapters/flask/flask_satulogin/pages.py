"""Error answers a person understands: bilingual HTML pages for browsers, JSON for APIs."""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template_string, request, url_for

_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title_id }} / {{ title_en }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{color:#9b1c1c}.en{color:#555}.box{border:1px solid #ddd;border-radius:8px;padding:1.5rem}</style>
</head><body><div class="box">
<h1 id="error-title">{{ title_id }}</h1><p class="en"><em>{{ title_en }}</em></p>
<p id="error-message">{{ message_id }}</p><p class="en">{{ message_en }}</p>
{% if detail %}<p><small id="error-detail">{{ detail }}</small></p>{% endif %}
<p><a href="{{ home }}">Kembali ke beranda / Back to home</a>
{% if logout %} · <a href="{{ logout }}">Keluar dan masuk dengan akun lain /
Log out and sign in as someone else</a>{% endif %}
</p></div></body></html>"""

_TEXTS = {
    401: ("Anda belum masuk", "You are not signed in",
          "Silakan masuk dengan akun Banten Satu Login Anda.",
          "Please sign in with your Banten Satu Login account."),
    403: ("Akses ditolak", "Access denied",
          "Akun Anda tidak memiliki peran yang diperlukan untuk halaman ini. Hubungi admin aplikasi atau "
          "atasan Anda bila Anda seharusnya punya akses.",
          "Your account lacks the role this page requires. Ask the application's administrator or your "
          "superior if you should have access."),
    400: ("Login tidak dapat diselesaikan", "Sign-in could not be completed",
          "Permintaan login ini sudah kedaluwarsa, sudah dipakai, atau tidak sah. Silakan ulangi login.",
          "This sign-in request has expired, was already used, or is not valid. Please sign in again."),
    503: ("Layanan login sedang tidak tersedia", "The sign-in service is unavailable",
          "Server Banten Satu Login tidak dapat dihubungi. Silakan coba beberapa saat lagi.",
          "The Banten Satu Login server cannot be reached. Please try again shortly."),
}


def wants_json() -> bool:
    prefix = current_app.config.get("SATULOGIN_API_PREFIX", "/api/")
    if prefix and request.path.startswith(prefix):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def error_response(status: int, code: str, detail: str = "", *, bearer: bool = False) -> Response:
    title_id, title_en, message_id, message_en = _TEXTS.get(status, _TEXTS[400])
    if bearer or wants_json():
        resp = jsonify({"error": code, "status": status, "message": f"{title_id} / {title_en}",
                        "detail": detail})
        resp.status_code = status
        if bearer and status in (401, 403):
            # RFC 6750 §3: tell the client why its token was refused.
            error = "invalid_token" if status == 401 else "insufficient_scope"
            desc = detail.replace('"', "'")
            resp.headers["WWW-Authenticate"] = f'Bearer error="{error}", error_description="{desc}"'
        return resp
    try:
        logout = url_for("satulogin.logout") if status == 403 else None
    except Exception:  # noqa: BLE001 - the page must render even without the blueprint
        logout = None
    html = render_template_string(_PAGE, title_id=title_id, title_en=title_en, message_id=message_id,
                                  message_en=message_en, detail=detail, home=request.script_root + "/",
                                  logout=logout)
    return Response(html, status=status, mimetype="text/html")
