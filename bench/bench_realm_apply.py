"""Realm as code at the province's scale: the ~120 applications of the concept document's
inventory (``bench/data/app_inventory.csv``) as clients with a few client roles each, on top of
``realm/banten``, applied to a fresh realm on the running Keycloak.

Prints wall time, read and write requests of: the first apply, a no-op plan, a no-op apply,
a no-op apply that also lists every managed client's roles (``--verify-roles``), and an apply
after one client was edited by hand (cost follows what changed). Targets
(issue 2): the no-op apply sends zero writes and costs under a tenth of the first apply.

    .venv/bin/python bench/bench_realm_apply.py [--roles 3] [--realm-name t-realm-bench] [--keep] \\
        [--json out.json]

Keycloak: ``KEYCLOAK_URL`` + ``KEYCLOAK_ADMIN_PASSWORD[_FILE]``, else the local test instance
(``SATULOGIN_TEST_KC_INSTANCE``/``_PORT``, default test/18080). The realm is deleted at the end
unless ``--keep``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from realm import DEFAULT_DIR, apply_realm, plan_realm, secret_env_name  # noqa: E402
from satulogin.kc_admin import AdminConnection, KeycloakAdmin, server_connection  # noqa: E402
from satulogin.keycloak_server import KeycloakServer, ServerConfig  # noqa: E402

INVENTORY = ROOT / "bench" / "data" / "app_inventory.csv"
ROLE_NAMES = ["admin", "operator", "pengguna", "verifikator", "pimpinan"]


def connection() -> AdminConnection:
    if os.environ.get("KEYCLOAK_URL"):
        return AdminConnection.from_env()
    port = int(os.environ.get("SATULOGIN_TEST_KC_PORT", "18080"))
    config = ServerConfig(
        instance=os.environ.get("SATULOGIN_TEST_KC_INSTANCE", "test"),
        http_port=port,
        management_port=port + 1000,
    )
    return server_connection(KeycloakServer(config))


def build_declarations(target: Path, roles: int) -> int:
    """realm/banten plus one client file per inventory row; returns the number of clients."""
    shutil.copytree(DEFAULT_DIR, target)
    with INVENTORY.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        cid, host = row["client_id"], row["host"]
        env = secret_env_name(cid)
        os.environ.setdefault(env, secrets.token_urlsafe(24))
        decl: dict[str, Any] = {
            "client_id": cid,
            "name": host,
            "description": (row["keterangan"] or row["opd"])[:255],
            "secret": "${" + env + "}",
            "root_url": f"https://{host}",
            "redirect_uris": [f"https://{host}/sso/callback"],
            "post_logout_redirect_uris": [f"https://{host}/"],
            "backchannel_logout_url": f"https://{host}/sso/backchannel-logout",
            "roles": [{"name": name, "description": f"{name} {host}"} for name in ROLE_NAMES[:roles]],
        }
        (target / "clients" / f"{cid}.yaml").write_text(
            yaml.safe_dump(decl, allow_unicode=True, sort_keys=False)
        )
    for path in (target / "clients").glob("*.yaml"):
        if path.stem not in {r["client_id"] for r in rows}:
            name = secret_env_name(path.stem)
            os.environ.setdefault(name, secrets.token_urlsafe(24))
    return len(list((target / "clients").glob("*.yaml")))


def measure(admin: KeycloakAdmin, what: str, func: Any) -> dict[str, Any]:
    reads0, writes0 = admin.counter.snapshot()
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    reads1, writes1 = admin.counter.snapshot()
    changes = len(result.changes) if hasattr(result, "changes") else result.applied
    return {
        "step": what,
        "seconds": round(seconds, 3),
        "reads": reads1 - reads0,
        "writes": writes1 - writes0,
        "changes": changes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--roles", type=int, default=3, help="client roles per application (max 5)")
    parser.add_argument("--realm-name", default=f"t-realm-bench-{secrets.token_hex(3)}")
    parser.add_argument("--keep", action="store_true", help="keep the realm afterwards")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    name = args.realm_name

    admin = KeycloakAdmin(connection(), name)
    with tempfile.TemporaryDirectory() as tmp:
        decl_dir = Path(tmp) / "banten"
        clients = build_declarations(decl_dir, args.roles)
        admin.request("DELETE", f"/realms/{name}", realm_scoped=False, ok=(404,))
        steps = [measure(admin, "first apply", lambda: apply_realm(admin, decl_dir, realm_name=name))]
        steps.append(measure(admin, "no-op plan", lambda: plan_realm(admin, decl_dir, realm_name=name)))
        steps.append(measure(admin, "no-op apply", lambda: apply_realm(admin, decl_dir, realm_name=name)))
        steps.append(
            measure(
                admin,
                "no-op apply, verify roles",
                lambda: apply_realm(admin, decl_dir, realm_name=name, verify_roles=True),
            )
        )
        # Someone edits one client in the console; the repair costs one client's worth of writes.
        client = admin.get("/clients", params={"clientId": "simpeg"})[0]
        admin.put(
            f"/clients/{client['id']}", json={**client, "redirectUris": ["https://simpeg.bantenprov.go.id/*"]}
        )
        steps.append(
            measure(admin, "apply after 1 drift", lambda: apply_realm(admin, decl_dir, realm_name=name))
        )
        if not args.keep:
            admin.request("DELETE", f"/realms/{name}", realm_scoped=False, ok=(404,))
    admin.close()

    first, noop = steps[0], steps[2]
    ratio = noop["seconds"] / first["seconds"] if first["seconds"] else 0.0
    print(
        f"realm {name}: {clients} clients x {args.roles} client roles "
        "(+ realm/banten settings, scope, profile)"
    )
    print(f"{'step':26} {'seconds':>8} {'reads':>6} {'writes':>7} {'changes':>8}")
    for step in steps:
        print(
            f"{step['step']:26} {step['seconds']:8.3f} {step['reads']:6d} {step['writes']:7d} "
            f"{step['changes']:8d}"
        )
    verdict = "OK" if noop["writes"] == 0 and ratio < 0.1 else "MISSED"
    print(f"no-op apply / first apply = {ratio:.3f} (target < 0.1, zero writes): {verdict}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "realm": name,
                    "clients": clients,
                    "roles_per_client": args.roles,
                    "steps": steps,
                    "noop_ratio": round(ratio, 4),
                    "verdict": verdict,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
