"""Keycloak client representations for onboarded apps (Admin REST ``ClientRepresentation``)."""

from __future__ import annotations

from typing import Any

from .request import AppRequest

MANAGED_ATTR = "satulogin.managed"
MANAGED_VALUE = "onboarding"
ADAPTER_ATTR = "satulogin.adapter"
# Keycloak joins multi-valued client attributes with "##" (post.logout.redirect.uris).
KC_LIST_SEPARATOR = "##"
ROLES_CLAIM = "roles"


def app_roles_mapper(client_id: str) -> dict[str, Any]:
    """A flat ``roles`` claim with this app's client roles.

    mod_auth_openidc passes flat claims as headers (``OIDC_CLAIM_roles: a,b``) and matches
    ``Require claim roles:a``; the nested ``resource_access`` object would reach a legacy app
    as raw JSON. The PHP/Flask adapters read ``resource_access`` and ``realm_access`` as usual.
    """
    return {
        "name": "satulogin-app-roles",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-usermodel-client-role-mapper",
        "config": {
            "usermodel.clientRoleMapping.clientId": client_id,
            "claim.name": ROLES_CLAIM,
            "multivalued": "true",
            "jsonType.label": "String",
            "id.token.claim": "true",
            "access.token.claim": "true",
            "userinfo.token.claim": "true",
            "introspection.token.claim": "true",
        },
    }


def app_client(req: AppRequest) -> dict[str, Any]:
    """A confidential, standard-flow-only client with PKCE S256 required and exact URIs."""
    attributes: dict[str, str] = {
        "pkce.code.challenge.method": "S256",
        "post.logout.redirect.uris": KC_LIST_SEPARATOR.join(req.post_logout_uris) or "",
        "backchannel.logout.session.required": "true",
        "backchannel.logout.revoke.offline.tokens": "false",
        MANAGED_ATTR: MANAGED_VALUE,
        ADAPTER_ATTR: req.adapter,
    }
    if req.backchannel_logout_url:
        attributes["backchannel.logout.url"] = req.backchannel_logout_url
    return {
        "clientId": req.client_id,
        "name": req.name,
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "standardFlowEnabled": True,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": False,
        "frontchannelLogout": False,
        "redirectUris": list(req.redirect_uris),
        "webOrigins": [],
        "attributes": attributes,
        "protocolMappers": [app_roles_mapper(req.client_id)],
    }


def service_account_client(client_id: str, name: str) -> dict[str, Any]:
    """A client-credentials-only client: the concept document's "API key", done properly."""
    return {
        "clientId": client_id,
        "name": name,
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "standardFlowEnabled": False,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": True,
        "redirectUris": [],
        "webOrigins": [],
        "attributes": {MANAGED_ATTR: MANAGED_VALUE, ADAPTER_ATTR: "service-account"},
    }
