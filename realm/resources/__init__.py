"""One module per kind of Keycloak resource realm/ manages: each reads the current state with
few list calls and turns declared-vs-current into :class:`realm.plan.Change` objects."""
