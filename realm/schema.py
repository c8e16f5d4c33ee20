"""What a realm declaration may say: pydantic models, ``extra="forbid"`` everywhere.

The models say what the files are; :mod:`realm.validate` says whether a set of them is
valid as a whole (cross-references, duplicates), and :mod:`realm.loader` reads the files.

Realm settings use Keycloak's own ``RealmRepresentation`` field names (camelCase), so a
reviewer can look each one up in the Admin REST API docs. Clients use a smaller, friendlier
shape (:class:`ClientDecl`) that :mod:`realm.resources.clients` maps onto Keycloak's.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

# Marker values, see docs/contracts.md.
MANAGED_VALUE = "realm"
CLIENT_MARKER = "satulogin.managed"  # client (and client scope) attribute
ROLE_MARKER = "satulogin_managed"  # role attribute (multivalued in Keycloak)
PROFILE_MARKER = "satulogin_managed"  # user-profile attribute annotation


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- realm settings ------------------------------------------------------------------------
class RealmSettings(Strict):
    """A subset of Keycloak's ``RealmRepresentation``. Only fields set in the file are managed;
    everything else stays as Keycloak (or an admin) has it."""

    displayName: str | None = None
    displayNameHtml: str | None = None
    enabled: bool | None = None
    sslRequired: Literal["all", "external", "none"] | None = None
    # login page and locales
    loginTheme: str | None = None
    accountTheme: str | None = None
    emailTheme: str | None = None
    internationalizationEnabled: bool | None = None
    supportedLocales: list[str] | None = None
    defaultLocale: str | None = None
    registrationAllowed: bool | None = None
    resetPasswordAllowed: bool | None = None
    rememberMe: bool | None = None
    verifyEmail: bool | None = None
    loginWithEmailAllowed: bool | None = None
    duplicateEmailsAllowed: bool | None = None
    editUsernameAllowed: bool | None = None
    # brute-force detection
    bruteForceProtected: bool | None = None
    permanentLockout: bool | None = None
    maxTemporaryLockouts: int | None = None
    failureFactor: int | None = None
    waitIncrementSeconds: int | None = None
    quickLoginCheckMilliSeconds: int | None = None
    minimumQuickLoginWaitSeconds: int | None = None
    maxFailureWaitSeconds: int | None = None
    maxDeltaTimeSeconds: int | None = None
    # credentials
    passwordPolicy: str | None = None
    otpPolicyType: Literal["totp", "hotp"] | None = None
    otpPolicyAlgorithm: Literal["HmacSHA1", "HmacSHA256", "HmacSHA512"] | None = None
    otpPolicyDigits: int | None = None
    otpPolicyPeriod: int | None = None
    otpPolicyLookAheadWindow: int | None = None
    # tokens and sessions (seconds)
    accessTokenLifespan: int | None = None
    accessTokenLifespanForImplicitFlow: int | None = None
    accessCodeLifespan: int | None = None
    accessCodeLifespanLogin: int | None = None
    accessCodeLifespanUserAction: int | None = None
    actionTokenGeneratedByUserLifespan: int | None = None
    ssoSessionIdleTimeout: int | None = None
    ssoSessionMaxLifespan: int | None = None
    ssoSessionIdleTimeoutRememberMe: int | None = None
    ssoSessionMaxLifespanRememberMe: int | None = None
    offlineSessionIdleTimeout: int | None = None
    offlineSessionMaxLifespanEnabled: bool | None = None
    offlineSessionMaxLifespan: int | None = None
    revokeRefreshToken: bool | None = None
    refreshTokenMaxReuse: int | None = None
    # events
    eventsEnabled: bool | None = None
    eventsExpiration: int | None = None
    eventsListeners: list[str] | None = None
    enabledEventTypes: list[str] | None = None
    adminEventsEnabled: bool | None = None
    adminEventsDetailsEnabled: bool | None = None
    # free-form realm attributes (e.g. adminEventsExpiration), compared key by key
    attributes: dict[str, str] | None = None


class RequiredActionDecl(Strict):
    enabled: bool = True
    defaultAction: bool = False


class AdminOtpDecl(Strict):
    """TOTP required for holders of ``role``: realm/ builds browser flow ``flow_alias`` as a
    copy of Keycloak's ``browser`` flow with two conditional OTP subflows (see README)."""

    role: str
    flow_alias: str = "banten-browser"


class RealmFile(Strict):
    """``realm.yaml``: the realm itself."""

    realm: str
    settings: RealmSettings = Field(default_factory=RealmSettings)
    required_actions: dict[str, RequiredActionDecl] = Field(default_factory=dict)
    admin_otp: AdminOtpDecl | None = None


# --- roles -------------------------------------------------------------------------------------
class RoleDecl(Strict):
    name: str = Field(min_length=1)
    description: str = ""


class RolesFile(Strict):
    """``roles.yaml``: realm roles."""

    roles: list[RoleDecl] = Field(default_factory=list)


# --- user profile -----------------------------------------------------------------------------
ProfileWho = Literal["admin", "user"]


def _everyone() -> list[ProfileWho]:
    return ["admin", "user"]


def _admins() -> list[ProfileWho]:
    return ["admin"]


class ProfilePermissions(Strict):
    view: list[ProfileWho] = Field(default_factory=_everyone)
    edit: list[ProfileWho] = Field(default_factory=_admins)


class ProfileAttributeDecl(Strict):
    """One attribute of Keycloak's declarative user profile (``UPAttribute``)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    displayName: str | None = None
    group: str | None = None
    multivalued: bool = False
    permissions: ProfilePermissions = Field(default_factory=ProfilePermissions)
    # validator name -> its config, e.g. {"pattern": {"pattern": "^[0-9]{18}$", "error-message": ...}}
    validations: dict[str, dict[str, Any]] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)


class ProfileGroupDecl(Strict):
    name: str
    displayHeader: str | None = None
    displayDescription: str | None = None


class UserProfileFile(Strict):
    """``user-profile.yaml``: attributes realm/ adds to Keycloak's default user profile.
    Attributes not named here (username, email, firstName, lastName, ...) are left alone."""

    unmanagedAttributePolicy: Literal["ENABLED", "ADMIN_VIEW", "ADMIN_EDIT"] | None = None
    groups: list[ProfileGroupDecl] = Field(default_factory=list)
    attributes: list[ProfileAttributeDecl] = Field(default_factory=list)


# --- client scopes -----------------------------------------------------------------------------
class ProtocolMapperDecl(Strict):
    name: str
    protocolMapper: str
    config: dict[str, str] = Field(default_factory=dict)


class ClientScopeDecl(Strict):
    """``client-scopes/<name>.yaml``: an OpenID Connect client scope and its mappers."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    include_in_token_scope: bool = True
    protocolMappers: list[ProtocolMapperDecl] = Field(default_factory=list)


# --- clients -------------------------------------------------------------------------------------
SECRET_REF = re.compile(r"^\$\{([A-Z][A-Z0-9_]*)\}$")

# Scopes every client gets from a stock Keycloak realm; ``pegawai`` adds the employee claims.
DEFAULT_CLIENT_SCOPES = ["acr", "basic", "email", "pegawai", "profile", "roles", "web-origins"]


def secret_env_name(client_id: str) -> str:
    """The environment variable that holds a client's secret by convention:
    ``dashboard-pimpinan`` -> ``SATULOGIN_CLIENT_SECRET_DASHBOARD_PIMPINAN``."""
    return "SATULOGIN_CLIENT_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", client_id).upper()


# Client roles have the same shape as realm roles.
ClientRoleDecl = RoleDecl


class ClientDecl(Strict):
    """``clients/<client_id>.yaml``: one OpenID Connect client (an application).

    Defaults are the house policy: confidential, authorization-code flow only, PKCE S256,
    exact redirect URIs, back-channel logout with the session id, no front-channel logout.
    ``secret`` is the *reference* ``${ENV_NAME}``; the loader resolves it (``NAME`` or
    ``NAME_FILE``) and puts the value in :attr:`secret_value`.
    """

    client_id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-_.]*$", max_length=255)
    name: str | None = None
    description: str | None = None
    enabled: bool = True
    public_client: bool = False
    secret: str | None = None
    root_url: str | None = None
    base_url: str | None = None
    redirect_uris: list[str] = Field(default_factory=list)
    post_logout_redirect_uris: list[str] = Field(default_factory=list)
    web_origins: list[str] = Field(default_factory=list)
    backchannel_logout_url: str | None = None
    backchannel_logout_session_required: bool = True
    frontchannel_logout: bool = False
    standard_flow: bool = True
    direct_access_grants: bool = False
    implicit_flow: bool = False
    service_accounts: bool = False
    pkce: Literal["S256", "plain"] | None = "S256"
    default_client_scopes: list[str] = Field(default_factory=lambda: list(DEFAULT_CLIENT_SCOPES))
    optional_client_scopes: list[str] = Field(default_factory=list)
    roles: list[ClientRoleDecl] = Field(default_factory=list)
    # other Keycloak client attributes, e.g. {"access.token.lifespan": "300"}
    attributes: dict[str, str] = Field(default_factory=dict)
    # filled by the loader from the environment; never written to a file or printed
    secret_value: SecretStr | None = Field(default=None, exclude=True)

    @field_validator("secret")
    @classmethod
    def _secret_is_reference(cls, value: str | None) -> str | None:
        if value is not None and not SECRET_REF.match(value):
            raise ValueError(
                "secret must be an environment reference like ${SATULOGIN_CLIENT_SECRET_X}, "
                "never the secret itself / rahasia harus berupa rujukan ${NAMA_ENV}"
            )
        return value


class Declarations(Strict):
    """Everything in one declarations directory, validated as a whole."""

    realm: RealmFile
    roles: list[RoleDecl] = Field(default_factory=list)
    user_profile: UserProfileFile = Field(default_factory=UserProfileFile)
    client_scopes: list[ClientScopeDecl] = Field(default_factory=list)
    clients: list[ClientDecl] = Field(default_factory=list)
    source: str = ""
