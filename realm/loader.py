"""Read a declarations directory into :class:`realm.schema.Declarations`.

Every problem in every file is collected first and raised once as a
:class:`~satulogin.errors.ConfigError`, before anything is sent to Keycloak.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, SecretStr, ValidationError

from satulogin.errors import MissingSecretError
from satulogin.secrets import read_secret

from .errors import DeclarationError
from .schema import (
    SECRET_REF,
    ClientDecl,
    ClientScopeDecl,
    Declarations,
    RealmFile,
    RolesFile,
    UserProfileFile,
)
from .validate import check_declarations

M = TypeVar("M", bound=BaseModel)

DEFAULT_DIR = Path(__file__).resolve().parent / "banten"


def _read_yaml(path: Path, problems: list[str], rel: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.append(f"{rel}: tidak bisa dibaca / cannot be read: {exc.strerror}")
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (baris/line {mark.line + 1})" if mark is not None else ""
        problems.append(f"{rel}{where}: YAML tidak valid / invalid YAML: {getattr(exc, 'problem', exc)}")
        return None


def _parse(model: type[M], data: Any, rel: str, problems: list[str]) -> M | None:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(f"{rel}: isi berkas harus berupa mapping / the file must hold a mapping (key: value)")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(part) for part in err["loc"]) or "(root)"
            if err["type"] == "extra_forbidden":
                msg = "kunci tidak dikenal / unknown key"
            elif err["type"] == "missing":
                msg = "wajib diisi / required field missing"
            else:
                msg = err["msg"]
            problems.append(f"{rel}: {loc}: {msg}")
        return None


def _resolve_secret(client: ClientDecl, rel: str, problems: list[str]) -> None:
    if client.secret is None:
        return
    match = SECRET_REF.match(client.secret)
    assert match is not None  # the schema already checked the shape
    name = match.group(1)
    try:
        value = read_secret(name, required=False)
    except MissingSecretError as exc:
        problems.append(f"{rel}: secret: {exc}")
        return
    if not value:
        problems.append(
            f"{rel}: secret: rahasia {name} belum diberikan / secret {name} is not set "
            f"(set ${name} or ${name}_FILE; `satulogin up` generates local demo secrets)"
        )
        return
    client.secret_value = SecretStr(value)


def load_declarations(directory: Path | str | None = None, *, resolve_secrets: bool = True) -> Declarations:
    """Load and validate every declaration file under ``directory`` (default: ``realm/banten``).

    Layout: ``realm.yaml``, ``roles.yaml``, ``user-profile.yaml``, ``client-scopes/*.yaml``,
    ``clients/<client_id>.yaml``. Raises :class:`ConfigError` listing every problem.
    """
    root = Path(directory) if directory is not None else DEFAULT_DIR
    problems: list[str] = []
    if not (root / "realm.yaml").is_file():
        raise DeclarationError(str(root), [f"realm.yaml tidak ada / missing in {root}"])

    realm_file = _parse(
        RealmFile, _read_yaml(root / "realm.yaml", problems, "realm.yaml"), "realm.yaml", problems
    )
    roles: RolesFile | None = RolesFile()
    if (root / "roles.yaml").is_file():
        roles = _parse(
            RolesFile, _read_yaml(root / "roles.yaml", problems, "roles.yaml"), "roles.yaml", problems
        )
    profile: UserProfileFile | None = UserProfileFile()
    if (root / "user-profile.yaml").is_file():
        profile = _parse(
            UserProfileFile,
            _read_yaml(root / "user-profile.yaml", problems, "user-profile.yaml"),
            "user-profile.yaml",
            problems,
        )

    scopes: list[ClientScopeDecl] = []
    scopes_complete = True
    for path in sorted((root / "client-scopes").glob("*.y*ml")):
        rel = f"client-scopes/{path.name}"
        scope = _parse(ClientScopeDecl, _read_yaml(path, problems, rel), rel, problems)
        if scope is not None:
            scopes.append(scope)
        else:
            scopes_complete = False

    clients: list[ClientDecl] = []
    for path in sorted((root / "clients").glob("*.y*ml")):
        rel = f"clients/{path.name}"
        client = _parse(ClientDecl, _read_yaml(path, problems, rel), rel, problems)
        if client is None:
            continue
        if path.stem != client.client_id:
            problems.append(
                f"{rel}: nama berkas harus {client.client_id}.yaml / "
                f"file name must match client_id {client.client_id!r}"
            )
        if resolve_secrets:
            _resolve_secret(client, rel, problems)
        clients.append(client)

    # Whole-set checks run even when a file failed to parse, on what did parse, so one run
    # lists every problem; checks that need a broken file are skipped rather than guessed.
    decls = Declarations(
        realm=realm_file or RealmFile(realm="?"),
        roles=roles.roles if roles is not None else [],
        user_profile=profile or UserProfileFile(),
        client_scopes=scopes,
        clients=clients,
        source=str(root),
    )
    problems.extend(
        check_declarations(
            decls,
            complete=None not in (realm_file, roles, profile),
            scopes_complete=scopes_complete,
        )
    )
    if problems:
        raise DeclarationError(str(root), problems)
    return decls
