"""Jabatan → role mapping: rules admins write, evaluated over pegawai, applied to Keycloak.

The core (rules, index, engine, plan, explain) knows nothing of click or Flask; ``cli.py``
and ``web/`` are thin shells over :mod:`sync.mapping.service`.
"""
