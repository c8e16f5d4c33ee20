"""Joiners get Keycloak's activation e-mail (execute-actions) through a local SMTP sink."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from sync.apply import ApplyOptions
from tests.fixtures.sync import SyncEnv, build_snapshot


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.original_content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def test_activation_email_reaches_the_joiner(
    sync_env_factory: Callable[[str], SyncEnv], smtp_sink: tuple[Sink, int]
) -> None:
    sink, port = smtp_sink
    env = sync_env_factory("email")
    realm = env.kc.get("")
    env.kc.put(
        "",
        {
            **realm,
            "smtpServer": {
                "host": "127.0.0.1",
                "port": str(port),
                "from": "sso@bantenprov.go.id",
                "fromDisplayName": "Banten Satu Login",
                "auth": "false",
                "ssl": "false",
                "starttls": "false",
            },
        },
    )
    hr = build_snapshot(5, seed=53)
    _, result = env.sync(hr, options=ApplyOptions(send_activation_email=True, progress=False))
    assert result.failed == 0, result.errors
    assert result.emails_sent == 5
    deadline = time.monotonic() + 30
    while len(sink.messages) < 5 and time.monotonic() < deadline:
        time.sleep(0.2)
    wanted = sorted(p.email or "" for p in hr.pegawai.values())
    assert sorted(r for rcpts, _ in sink.messages for r in rcpts) == wanted
    _, msg = sink.messages[0]
    body = "".join(_text(part) for part in msg.walk() if not part.is_multipart())
    assert f"/realms/{env.realm}/login-actions/action-token" in body
    nip = next(iter(hr.pegawai))
    [event] = [e for e in env.runlog.events(key=nip) if e.action == "activation-email"]
    assert event.result == "ok"


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
