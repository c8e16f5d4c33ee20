"""Pages of the admin app. Every page needs realm role ``sso-admin``; every change goes
preview → save, and is written to the audit log with the preview the admin saw."""

from __future__ import annotations

import difflib
import hashlib
import secrets
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, abort, current_app, redirect, render_template, request, url_for
from flask_satulogin import current_user, roles_required
from werkzeug.wrappers import Response

from satulogin.errors import ConfigError, SafetyStop

from ...model import unit_level, unit_parent, unit_prefix
from ..apply import apply_plan
from ..audit import AuditLog
from ..plan import MappingPlan, SafetyPolicy, build_plan, rule_effect
from ..rules import RuleSet, load_ruleset, parse_ruleset
from ..service import explain_nip
from ..validate import ruleset_problems
from .rules_file import write_ruleset
from .state_cache import StateCache

MAX_RULE_CHARS = 20_000


def _ext() -> dict[str, Any]:
    ext: dict[str, Any] = current_app.extensions["mapping"]
    return ext


def _cache() -> StateCache:
    cache: StateCache = _ext()["cache"]
    return cache


def _audit() -> AuditLog:
    audit: AuditLog = _ext()["audit"]
    return audit


def _rules_path() -> Path:
    return Path(current_app.config["MAPPING_RULES"])


def _actor() -> str:
    claims = getattr(current_user, "claims", {}) or {}
    return f"{claims.get('preferred_username', '?')} ({claims.get('name', '')})".replace(" ()", "")


def _rule_yaml(rule: dict[str, Any]) -> str:
    return yaml.safe_dump(rule, sort_keys=False, allow_unicode=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def register(app: Flask) -> None:
    admin_only = roles_required(app.config["MAPPING_ADMIN_ROLE"])

    @app.get("/")
    @admin_only
    def beranda() -> str:
        ruleset = load_ruleset(_rules_path())
        return render_template("beranda.html", ruleset=ruleset, audit=_audit().recent(5))

    @app.get("/unit")
    @admin_only
    def unit_tree() -> str:
        snap = _cache().get(load_ruleset(_rules_path()))
        names: dict[str, str] = {}
        counts: Counter[str] = Counter()
        jabatan: dict[str, dict[str, Any]] = {}
        for nip, user in snap.state.users.items():
            attrs = user.get("attributes") or {}
            s = snap.state.subjects[nip]
            if s.unit_kode:
                names[s.unit_kode] = (attrs.get("unit_nama") or [""])[0]
                counts[s.unit_kode] += 1
            if s.jabatan_kode:
                row = jabatan.setdefault(
                    s.jabatan_kode,
                    {
                        "kode": s.jabatan_kode,
                        "nama": (attrs.get("jabatan_nama") or [""])[0],
                        "unit": s.unit_kode,
                        "jenis": s.jenis,
                        "eselon": s.eselon,
                        "jumlah": 0,
                    },
                )
                row["jumlah"] += 1
        for code in list(names):
            parent = unit_parent(code)
            while parent and parent not in names:
                names[parent] = ""
                parent = unit_parent(parent)
        units = [
            {"kode": c, "nama": names[c], "level": unit_level(c), "jumlah": counts[c]} for c in sorted(names)
        ]
        selected = request.args.get("kode", "")
        if selected:
            prefix = unit_prefix(selected) if len(selected) == 15 else selected
            jab_rows = [j for j in jabatan.values() if j["unit"].startswith(prefix)]
        else:
            jab_rows = list(jabatan.values())
        return render_template(
            "unit.html", units=units, jabatan=sorted(jab_rows, key=lambda j: j["kode"]), selected=selected
        )

    @app.get("/pegawai")
    @admin_only
    def cari_pegawai() -> str:
        q = request.args.get("q", "").strip()[:100]
        hits: list[Any] = []
        if q:
            snap = _cache().get(load_ruleset(_rules_path()))
            needle = q.lower()
            hits = [s for s in snap.state.subjects.values() if needle in s.nip or needle in s.nama.lower()][
                :50
            ]
        return render_template("pegawai.html", q=q, hits=hits)

    @app.get("/pegawai/<nip>")
    @admin_only
    def pegawai(nip: str) -> str:
        if not (len(nip) == 18 and nip.isdigit()):
            abort(404)
        explained = explain_nip(_ext()["admin"], load_ruleset(_rules_path()), nip)
        return render_template("penjelasan.html", e=explained)

    @app.get("/aturan/baru")
    @app.get("/aturan/<rule_id>")
    @admin_only
    def ubah_aturan(rule_id: str | None = None) -> str:
        ruleset = load_ruleset(_rules_path())
        data = ruleset.model_dump(mode="json", by_alias=True, exclude_none=True)
        if rule_id is None:
            text = _rule_yaml(
                {
                    "id": "aturan-baru",
                    "description": "",
                    "roles": ["pegawai"],
                    "match": {"jenis": ["struktural"]},
                }
            )
        else:
            found = next((r for r in data["rules"] if r["id"] == rule_id), None)
            if found is None:
                abort(404)
            text = _rule_yaml(found)
        return render_template(
            "aturan.html",
            original_id=rule_id or "",
            rule_yaml=text,
            problems=[],
            hapus=False,
            preview=None,
            preview_id="",
        )

    @app.post("/aturan")
    @admin_only
    def simpan_aturan() -> Response | tuple[str, int] | str:
        original_id = request.form.get("original_id", "").strip()
        delete = request.form.get("hapus") == "ya" and bool(original_id)
        text = request.form.get("rule_yaml", "")
        action = request.form.get("action", "pratinjau")
        form = {"original_id": original_id, "rule_yaml": text, "hapus": delete}
        before_text = _rules_path().read_text(encoding="utf-8")
        current = load_ruleset(_rules_path())
        try:
            new = _replace_rule(current, original_id, None if delete else text)
        except ConfigError as exc:
            return render_template(
                "aturan.html", **form, problems=exc.problems, preview=None, preview_id=""
            ), 422
        snap = _cache().get(new)
        problems = ruleset_problems(new, snap.state.catalog)
        if problems:
            return render_template("aturan.html", **form, problems=problems, preview=None, preview_id=""), 422
        plan = build_plan(snap.index, new, snap.state.held)
        preview = plan.to_dict(snap.state.names)
        # The rule's own effect apart from whatever else apply would also bring in line.
        effect = rule_effect(snap.index, current, new)
        own = MappingPlan(len(snap.state.subjects), effect, {}, {})
        preview["rule_change"] = own.to_dict(snap.state.names)
        policy = SafetyPolicy(max_revoke_share=float(current_app.config["MAPPING_MAX_REVOKE_SHARE"]))
        try:
            plan.check_safety(policy)
            preview["safety"] = "ok"
        except SafetyStop as exc:
            preview["safety"] = exc.message
        previews: dict[str, dict[str, Any]] = _ext()["previews"]
        if action != "simpan":
            preview_id = secrets.token_urlsafe(16)
            previews[preview_id] = {
                "digest": _digest(f"{original_id}\0{delete}\0{text}"),
                "preview": preview,
                "before": _digest(before_text),
            }
            return render_template("aturan.html", **form, problems=[], preview=preview, preview_id=preview_id)
        seen = previews.pop(request.form.get("preview_id", ""), None)
        if (
            seen is None
            or seen["digest"] != _digest(f"{original_id}\0{delete}\0{text}")
            or seen["before"] != _digest(before_text)
        ):
            return render_template(
                "aturan.html",
                **form,
                preview=None,
                preview_id="",
                problems=[
                    "Lihat pratinjau dulu: aturan atau berkas berubah sejak pratinjau / "
                    "preview first: the rule or the rule file changed since the preview"
                ],
            ), 409
        allow = request.form.get("allow_mass_revoke") == "ya"
        try:
            plan.check_safety(policy, allow_mass_revoke=allow)
        except SafetyStop as exc:
            return render_template(
                "aturan.html", **form, problems=[exc.message], preview=preview, preview_id=""
            ), 409
        # Apply on a fresh read: the PUT of a user's attributes must not carry a stale copy.
        _cache().invalidate()
        snap = _cache().get(new)
        plan = build_plan(snap.index, new, snap.state.held)
        write_ruleset(_rules_path(), new, before_text)
        report = apply_plan(_ext()["admin"], plan, snap.state)
        _cache().invalidate()
        record_id = _audit().record(
            actor=_actor(),
            action="hapus" if delete else "ubah" if original_id else "tambah",
            summary=f"aturan {_rule_id(text) or original_id}",
            rules_before=before_text,
            rules_after=_rules_path().read_text(encoding="utf-8"),
            preview=seen["preview"],
            result=report.to_dict(),
        )
        return redirect(url_for("audit_detail", record_id=record_id))

    @app.get("/audit")
    @admin_only
    def audit_list() -> str:
        return render_template("audit.html", records=_audit().recent(100))

    @app.get("/audit/<int:record_id>")
    @admin_only
    def audit_detail(record_id: int) -> str:
        record = _audit().get(record_id)
        if record is None:
            abort(404)
        diff = difflib.unified_diff(
            record.rules_before.splitlines(),
            record.rules_after.splitlines(),
            "sebelum / before",
            "sesudah / after",
            lineterm="",
            n=2,
        )
        return render_template("audit_detail.html", r=record, diff=list(diff))

    @app.errorhandler(400)
    def bad_request(err: Any) -> tuple[str, int]:
        return render_template(
            "galat.html",
            pesan="Permintaan ditolak: formulir kedaluwarsa atau tidak sah "
            "(CSRF). Muat ulang halaman lalu coba lagi.",
            en="Request refused: the form expired or is not valid (CSRF). Reload and retry.",
        ), 400

    @app.errorhandler(404)
    def not_found(err: Any) -> tuple[str, int]:
        return render_template(
            "galat.html", pesan="Halaman atau data tidak ditemukan.", en="Page or record not found."
        ), 404


def _rule_id(text: str) -> str:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return ""
    return str(data.get("id", "")) if isinstance(data, dict) else ""


def _replace_rule(current: RuleSet, original_id: str, text: str | None) -> RuleSet:
    """The rule set with the edited rule in place of ``original_id`` (or added); ``text=None``
    removes the rule."""
    if text is None:
        data = current.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["rules"] = [r for r in data["rules"] if r["id"] != original_id]
        return parse_ruleset(data, "formulir")
    if len(text) > MAX_RULE_CHARS:
        raise ConfigError("formulir", [f"aturan terlalu panjang / rule too long (> {MAX_RULE_CHARS} chars)"])
    try:
        rule = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError("formulir", [f"YAML tidak terbaca / unreadable YAML: {exc}"]) from None
    if not isinstance(rule, dict):
        raise ConfigError(
            "formulir",
            ["aturan harus berupa mapping YAML (id, roles, match, ...) / a rule must be a YAML mapping"],
        )
    data = current.model_dump(mode="json", by_alias=True, exclude_none=True)
    rules = data["rules"]
    index = next((i for i, r in enumerate(rules) if r["id"] == original_id), None) if original_id else None
    if original_id and index is None:
        raise ConfigError("formulir", [f"aturan {original_id!r} tidak ada lagi / no longer exists"])
    if index is None:
        rules.append(rule)
    else:
        rules[index] = rule
    return parse_ruleset(data, "formulir")
