"""The run log's batches (one transaction for a bulk request's answers) and one admin login
shared by the sync's Keycloak clients."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from satulogin.kc_admin import AdminConnection, KeycloakAdmin
from sync.runlog import RunLog


def _rows(path: Path) -> list[tuple[str, str]]:
    """What another process (``satulogin sync log``) sees."""
    with sqlite3.connect(path) as other:
        return list(other.execute("SELECT key, result FROM events ORDER BY id"))


def test_a_batch_is_one_transaction_and_keeps_what_it_recorded(tmp_path: Path) -> None:
    log = RunLog(tmp_path / "runlog.sqlite")
    run = log.start_run("banten", "apply")
    with log.batch():
        log.record(run, "user", "1", "create", "ok")
        with log.batch():  # nested: joins the outer one
            log.record(run, "user", "2", "create", "ok")
        assert _rows(log.path) == [], "not visible before the batch commits"
    assert _rows(log.path) == [("1", "ok"), ("2", "ok")]
    with pytest.raises(RuntimeError), log.batch():
        log.record(run, "user", "3", "create", "failed")
        raise RuntimeError("the request's answer could not be read")
    assert _rows(log.path)[-1] == ("3", "failed"), "what was recorded before the error is kept"
    # Another thread's record waits for the batch, then lands after it.
    with log.batch():
        log.record(run, "user", "4", "create", "ok")
        other = threading.Thread(target=log.record, args=(run, "user", "5", "create", "ok"))
        other.start()
        other.join(0.2)
        assert other.is_alive()
    other.join(5)
    assert [k for k, _ in _rows(log.path)][-2:] == ["4", "5"]
    # The bulk writer joins a batch too, and a failed one leaves no transaction open behind it.
    with log.batch():
        log.record_many([(run, "user", "6", "create", "ok", None, None)])
    with pytest.raises(sqlite3.Error):
        log.record_many([(run, "user", "7", "create", "ok", None, None), ("only-one-column",)])  # type: ignore[list-item]
    log.record(run, "user", "8", "create", "ok")
    assert [k for k, _ in _rows(log.path)][-3:] == ["6", "7", "8"], "the rows before the bad one are kept"
    log.close()


def test_clients_of_one_connection_share_one_login(admin_conn: AdminConnection) -> None:
    first = KeycloakAdmin(admin_conn, "master")
    second = KeycloakAdmin(admin_conn, "master").sharing_token(first)
    assert second.get("")["realm"] == "master"
    assert first._token is not None and second._token is None, "one login, made by the first"
    first._token = "not-a-valid-token"  # expired or revoked: the next request logs in again
    assert second.get("")["realm"] == "master"
    assert first._token != "not-a-valid-token"
    # Requests in flight that all meet a refusal drop only the token they used: a new one,
    # fetched meanwhile by another thread, serves them all.
    fresh = first._token
    first._forget_token("an-older-token")
    assert first._token == fresh
    second._forget_token(fresh)
    assert first._token is None
    other = AdminConnection(server_url=admin_conn.server_url, username="someone-else", password="x")
    with pytest.raises(ValueError):
        KeycloakAdmin(other, "master").sharing_token(first)
