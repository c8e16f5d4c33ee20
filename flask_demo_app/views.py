"""The dashboard's pages and its small JSON API. Every page needs a login; every unit figure
is checked against the viewer's ``lingkup_unit`` before it is computed."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request

from sync.model import unit_prefix

from . import dapodik
from .auth import current_viewer, login_required, login_url, logout_url
from .catalogue import apps_for, load_catalogue
from .charts import Bar, bar_chart, format_number
from .i18n import current_language, translate
from .role_origin import explain_roles
from .scope import KUNKER_RE, is_province_wide, may_see, visible_prefixes
from .staff import StaffData, StaffFigures, figures_for
from .viewer import DASHBOARD_CLIENT_ID, Viewer

bp = Blueprint("dashboard", __name__)


class UnitRefused(Exception):
    """A request for a unit outside the viewer's scope (rendered as a 403 a person reads)."""

    def __init__(self, kunker: str) -> None:
        super().__init__(kunker)
        self.kunker = kunker


def _viewer() -> Viewer:
    viewer = current_viewer()
    if viewer is None:  # login_required ran first; this is a programming error, not a user one
        abort(401)
    return viewer


def _staff_data() -> StaffData:
    data: StaffData = current_app.extensions["dashboard_staff"].get()
    return data


def _num(value: int) -> str:
    return format_number(value, "," if current_language() == "en" else ".")


def staff_charts(fig: StaffFigures) -> dict[str, Any]:
    label = translate("people")
    th = "," if current_language() == "en" else "."
    return {
        "by_unit": bar_chart(f"unit-{fig.prefix}", f"{translate('by_unit')}: {fig.nama}",
                             [Bar(u.nama, [u.jumlah]) for u in fig.by_unit], [label], thousands=th),
        "by_golongan": bar_chart(f"gol-{fig.prefix}", f"{translate('by_golongan')}: {fig.nama}",
                                 [Bar(g, [n]) for g, n in fig.by_golongan], [label], thousands=th),
        "by_eselon": bar_chart(f"esl-{fig.prefix}", f"{translate('by_eselon')}: {fig.nama}",
                               [Bar(e, [n]) for e, n in fig.by_eselon], [label], thousands=th),
    }


@bp.app_context_processor
def inject_helpers() -> dict[str, Any]:
    lang = current_language()
    return {"_": lambda key: translate(key, lang), "lang": lang, "num": _num,
            "viewer": current_viewer(), "login_url": login_url(), "logout_url": logout_url(),
            "other_lang": "en" if lang == "id" else "id"}


@bp.route("/")
def index() -> str:
    viewer = current_viewer()
    if viewer is None:
        return render_template("landing.html")
    data = _staff_data()
    figures = [figures_for(data, p) for p in visible_prefixes(viewer)]
    apps = apps_for(viewer, load_catalogue(Path(current_app.config["DASHBOARD_APPS_FILE"])))
    return render_template("home.html", figures=figures, data=data, apps=apps,
                           province=is_province_wide(viewer))


@bp.route("/profil")
@login_required
def profile() -> str:
    viewer = _viewer()
    rules = current_app.config.get("DASHBOARD_MAPPING_RULES")
    roles, roles_note = explain_roles(viewer, Path(rules) if rules else None)
    return render_template("profile.html", roles=roles, roles_note=roles_note,
                           prefixes=visible_prefixes(viewer),
                           province=is_province_wide(viewer), dashboard_client=DASHBOARD_CLIENT_ID,
                           units=_staff_data().units)


@bp.route("/kepegawaian")
@login_required
def staff() -> str:
    viewer = _viewer()
    data = _staff_data()
    figures = [figures_for(data, p) for p in visible_prefixes(viewer)]
    return render_template("staff.html", figures=figures, data=data,
                           charts={f.prefix: staff_charts(f) for f in figures})


def _unit_figures(kunker: str) -> StaffFigures:
    viewer = _viewer()
    if not KUNKER_RE.match(kunker):
        abort(404)
    if not may_see(viewer, kunker):
        current_app.logger.warning("unit %s refused for NIP %s (lingkup %s)", kunker, viewer.nip,
                                   ",".join(viewer.lingkup_unit) or "-")
        raise UnitRefused(kunker)
    data = _staff_data()
    if kunker not in data.units:
        abort(404)
    return figures_for(data, unit_prefix(kunker) or "00")


@bp.route("/unit/<kunker>")
@login_required
def unit(kunker: str) -> str:
    fig = _unit_figures(kunker)
    return render_template("unit.html", fig=fig, charts=staff_charts(fig), data=_staff_data())


@bp.route("/api/unit/<kunker>")
@login_required
def api_unit(kunker: str) -> Response:
    fig = _unit_figures(kunker)
    body = asdict(fig)
    body["kunker"] = kunker
    return jsonify(body)


@bp.route("/pendidikan")
@login_required
def education() -> str:
    tables = dapodik.load_all()
    th = "," if current_language() == "en" else "."
    charts = {}
    for name, table in tables.items():
        series = [translate(f"group_{g}") for g in table.groups]
        charts[name] = {
            "wilayah": bar_chart(
                f"edu-{name}", translate(f"tabel_{name}"),
                [Bar(w.nama, [w.group_total(g) for g in table.groups])
                 for w in sorted(table.wilayah, key=lambda w: -w.total())],
                series, description=f"{translate(f'tabel_{name}')} ({', '.join(series)}), "
                                    f"Dapodik {table.tanggal_data}", thousands=th),
            "jenjang": bar_chart(
                f"edu-{name}-jenjang", f"{translate(f'tabel_{name}')}, {translate('per_jenjang')}",
                [Bar(j.upper(), values) for j, values in table.by_jenjang()], series, thousands=th),
        }
    first = next(iter(tables.values()))
    return render_template("education.html", tables=tables, charts=charts, note=first.keterangan)


@bp.route("/aplikasi")
@login_required
def apps() -> str:
    viewer = _viewer()
    catalogue = load_catalogue(Path(current_app.config["DASHBOARD_APPS_FILE"]))
    return render_template("apps.html", apps=apps_for(viewer, catalogue))


@bp.route("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def refused(err: UnitRefused) -> tuple[Any, int]:
    if _wants_json():
        return jsonify(error="forbidden", kunker=err.kunker, pesan=translate("forbidden_unit", "id"),
                       message=translate("forbidden_unit", "en")), 403
    return render_template("error.html", title=translate("forbidden_title"),
                           message=translate("forbidden_unit"), help=translate("forbidden_help"),
                           code=403), 403


def not_found(_err: Exception) -> tuple[Any, int]:
    key = "not_found_unit" if "/unit/" in request.path else "not_found_page"
    if _wants_json():
        return jsonify(error="not_found", pesan=translate(key, "id"), message=translate(key, "en")), 404
    return render_template("error.html", title=translate("not_found_title"),
                           message=translate(key), help="", code=404), 404


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(UnitRefused, refused)
    app.register_error_handler(404, not_found)
