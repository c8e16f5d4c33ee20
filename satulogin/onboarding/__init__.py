"""Onboarding an application into Banten Satu Login: its OIDC client, roles, adapter config.

``request`` validates what an SSO admin asked for (before anything is sent), ``client_repr``
turns it into a Keycloak client representation, ``registry`` talks to the Admin API and
``writers`` renders the configuration file for the adapter the app team chose.
"""
