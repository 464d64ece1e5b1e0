"""AmiClient against the in-process fake AMI server."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from ivr.ami import (
    AmiActionError,
    AmiClient,
    AmiConnectionError,
    AmiInjectionError,
    AmiProtocolError,
    AmiTimeout,
    EventMatch,
    Message,
)
from tests.support.fake_ami import FakeAmi, FakeConnection, Request, eventually, list_handler
from tests.unit.ami import seeds


async def test_connect_reads_banner_and_logs_in(fake: FakeAmi, client: AmiClient) -> None:
    assert client.connected
    assert client.banner == "Asterisk Call Manager/11.0.0"
    [login] = fake.requests_for("Login")
    assert (login.get("Username"), login.get("Secret"), login.get("Events")) == (
        "ivr",
        "s3cret!",
        "on",
    )


async def test_wrong_credentials_raise_a_clear_error(fake: FakeAmi) -> None:
    ami = AmiClient(ping_interval=None)
    with pytest.raises(AmiActionError, match="login as 'ivr' refused: Authentication failed"):
        await ami.connect("127.0.0.1", fake.port, "ivr", "wrong", timeout=2.0)
    assert not ami.connected
    assert isinstance(ami.close_reason, AmiConnectionError)


async def test_secret_never_logged(fake: FakeAmi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="ivr.ami")
    ami = AmiClient(ping_interval=None)
    await ami.connect("127.0.0.1", fake.port, fake.username, fake.secret, timeout=2.0)
    await ami.ping()
    await ami.close()
    with pytest.raises(AmiActionError):
        await AmiClient().connect("127.0.0.1", fake.port, "ivr", "other-secret", timeout=2.0)
    assert "Action: Login" in caplog.text  # raw traffic is there at DEBUG...
    assert fake.secret not in caplog.text  # ...but never the secret
    assert "other-secret" not in caplog.text
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("connected to" in m for m in infos)
    assert any("closed" in m and "refused" in m for m in infos)


async def test_connection_refused(fake: FakeAmi) -> None:
    port = fake.port
    await fake.stop()
    with pytest.raises(AmiConnectionError, match="cannot connect"):
        await AmiClient().connect("127.0.0.1", port, "ivr", "x", timeout=2.0)


async def test_not_an_ami_server(fake: FakeAmi) -> None:
    fake.banner = "SSH-2.0-OpenSSH_9.6"
    with pytest.raises(AmiProtocolError, match="not an AMI server"):
        await AmiClient().connect("127.0.0.1", fake.port, "ivr", "x", timeout=2.0)


async def test_login_deadline(fake: FakeAmi) -> None:
    fake.on("Login", lambda connection, request: None)
    ami = AmiClient()
    with pytest.raises(AmiTimeout, match="Login"):
        await ami.connect("127.0.0.1", fake.port, "ivr", "x", timeout=0.2)
    assert not ami.connected


async def test_action_roundtrip_and_error(client: AmiClient) -> None:
    response = await client.action("Ping")
    assert response.get("Ping") == "Pong"
    with pytest.raises(AmiActionError, match="Invalid/unknown command") as caught:
        await client.action("NoSuchAction")
    assert caught.value.message == "Invalid/unknown command"
    assert caught.value.response.is_error
    unchecked = await client.action("NoSuchAction", check=False)
    assert unchecked.is_error


async def test_send_puts_the_action_on_the_wire_before_the_caller_awaits(
    fake: FakeAmi, client: AmiClient
) -> None:
    # An objection's stop is decided in a listener: it must not wait for a task to be run.
    answer = client.send("Ping")
    await eventually(lambda: bool(fake.requests_for("Ping")), what="the Ping, not awaited yet")
    assert (await answer).get("Ping") == "Pong"
    with pytest.raises(AmiActionError, match="Invalid/unknown command"):
        await client.send("NoSuchAction")


async def test_send_without_a_link_raises_at_once(fake: FakeAmi, client: AmiClient) -> None:
    await client.close()
    with pytest.raises(AmiConnectionError):
        client.send("Ping").close()  # raises before anything is sent


async def test_out_of_order_responses_are_correlated(fake: FakeAmi, client: AmiClient) -> None:
    held: list[tuple[FakeConnection, Request]] = []
    fake.on("Getvar", lambda connection, request: held.append((connection, request)))
    names = [f"VAR{i}" for i in range(5)]
    tasks = [asyncio.create_task(client.action("Getvar", {"Variable": name})) for name in names]
    await eventually(lambda: len(held) == 5, what="five held Getvar")
    for connection, request in reversed(held):
        value = ("Value", request.get("Variable").lower())
        connection.respond(request, "Success", ("Variable", request.get("Variable")), value)
    responses = await asyncio.gather(*tasks)
    assert [r.get("Value") for r in responses] == [name.lower() for name in names]
    assert len({r.action_id for r in responses}) == 5


async def test_event_list(fake: FakeAmi, client: AmiClient) -> None:
    rows = [[("Channel", f"Local/s@consent-{i:08x};1"), ("Uniqueid", f"1.{i}")] for i in range(3)]
    fake.on("CoreShowChannels", list_handler(rows, "CoreShowChannel"))
    seen: list[Message] = []
    client.add_listener(seen.append)
    response, items = await client.event_list("CoreShowChannels")
    assert response.get("EventList") == "start"
    assert [item.get("Uniqueid") for item in items] == ["1.0", "1.1", "1.2"]
    assert all(item.name == "CoreShowChannel" for item in items)
    assert not [m for m in seen if m.name and m.name.startswith("CoreShowChannel")]


async def test_event_list_error_and_non_list(client: AmiClient) -> None:
    with pytest.raises(AmiActionError, match="Invalid/unknown"):
        await client.event_list("Nope")
    response, items = await client.event_list("Ping")
    assert (response.get("Ping"), items) == ("Pong", [])


async def test_event_list_deadline(fake: FakeAmi, client: AmiClient) -> None:
    def never_complete(connection: FakeConnection, request: Request) -> None:
        connection.respond(request, "Success", ("EventList", "start"))

    fake.on("Status", never_complete)
    with pytest.raises(AmiTimeout, match=r"Status event list .* within 0.1 s"):
        await client.event_list("Status", timeout=0.1)


async def test_command_output(fake: FakeAmi, client: AmiClient) -> None:
    fake.commands["core show channels"] = ["Channel  Location  State", "0 active channels", ""]
    output = await client.command("core show channels")
    assert output == "Channel  Location  State\n0 active channels\n"
    with pytest.raises(AmiActionError, match="No such command 'bogus'"):
        await client.command("bogus")


async def test_every_action_has_a_deadline(fake: FakeAmi, client: AmiClient) -> None:
    fake.on("Originate", lambda connection, request: None)
    with pytest.raises(AmiTimeout) as caught:
        await client.action("Originate", {"Channel": "Local/s@x"}, timeout=0.1)
    assert isinstance(caught.value, TimeoutError)
    assert "Originate (ActionID" in str(caught.value)
    assert caught.value.timeout == 0.1
    assert client.connected  # a slow action does not kill the link
    assert client._pending == {}


async def test_injection_is_refused_before_sending(fake: FakeAmi, client: AmiClient) -> None:
    before = len(fake.requests)
    with pytest.raises(AmiInjectionError):
        await client.action("Originate", {"CallerID": '"x" <1>\r\nAction: Hangup'})
    await client.ping()
    assert [r.action for r in fake.requests[before:]] == ["Ping"]


async def test_connection_drop_fails_pending_actions(fake: FakeAmi, client: AmiClient) -> None:
    fake.on("Originate", lambda connection, request: None)
    pending = [asyncio.create_task(client.action("Originate", timeout=5)) for _ in range(3)]
    await eventually(lambda: len(fake.requests_for("Originate")) == 3)
    fake.connections[-1].drop()
    for task in pending:
        with pytest.raises(AmiConnectionError):
            await task
    reason = await asyncio.wait_for(client.wait_closed(), 2)
    assert not client.connected
    assert reason is client.close_reason
    with pytest.raises(AmiConnectionError):
        await client.action("Ping")


async def test_server_hang_up_is_a_clean_close(fake: FakeAmi, client: AmiClient) -> None:
    fake.connections[-1].hang_up()
    reason = await asyncio.wait_for(client.wait_closed(), 2)
    assert "server closed" in str(reason)


async def test_oversized_frame_drops_the_link(fake: FakeAmi) -> None:
    ami = AmiClient(ping_interval=None, max_frame=2048)
    await ami.connect("127.0.0.1", fake.port, fake.username, fake.secret, timeout=2.0)
    fake.connections[-1].send(b"Event: Huge\r\nOutput: " + b"x" * 5000 + b"\r\n\r\n")
    reason = await asyncio.wait_for(ami.wait_closed(), 2)
    assert "protocol error" in str(reason)
    await ami.close()


async def test_ping_measures_round_trip(client: AmiClient) -> None:
    assert 0 <= await client.ping() < 1


async def test_ping_rejects_a_wrong_reply(fake: FakeAmi, client: AmiClient) -> None:
    fake.on("Ping", lambda connection, request: connection.respond(request, "Success"))
    with pytest.raises(AmiProtocolError, match="Pong"):
        await client.ping()


async def test_watchdog_detects_a_silent_server(fake: FakeAmi) -> None:
    ami = AmiClient(ping_interval=0.05, ping_timeout=0.1)
    await ami.connect("127.0.0.1", fake.port, fake.username, fake.secret, timeout=2.0)
    await eventually(lambda: len(fake.requests_for("Ping")) >= 2, what="watchdog pings")
    assert ami.connected
    fake.answer_pings = False
    reason = await asyncio.wait_for(ami.wait_closed(), 2)
    assert "ping watchdog" in str(reason)
    await ami.close()


async def test_watchdog_detects_a_wrong_pong(fake: FakeAmi) -> None:
    fake.on("Ping", lambda connection, request: connection.respond(request, "Error"))
    ami = AmiClient(ping_interval=0.05, ping_timeout=0.5)
    await ami.connect("127.0.0.1", fake.port, fake.username, fake.secret, timeout=2.0)
    reason = await asyncio.wait_for(ami.wait_closed(), 2)
    assert "ping watchdog" in str(reason)
    await ami.close()


async def test_listener_sees_events_and_survives_its_own_errors(
    fake: FakeAmi, client: AmiClient
) -> None:
    seen: list[str | None] = []

    def broken(message: Message) -> None:
        raise RuntimeError("listener bug")

    client.add_listener(broken)
    client.add_listener(lambda message: seen.append(message.name))
    fake.broadcast(seeds.CAPTURED_NEWCHANNEL + seeds.CAPTURED_DTMF_END)
    await eventually(lambda: seen == ["Newchannel", "DTMFEnd"])
    client.remove_listener(broken)
    assert await client.ping() >= 0


async def test_subscription_and_wait_for(fake: FakeAmi, client: AmiClient) -> None:
    with client.subscribe(lambda m: m.name in {"DTMFEnd", "Hangup"}) as events:
        fake.broadcast(seeds.CAPTURED_NEWCHANNEL + seeds.CAPTURED_DTMF_END)
        dtmf = await events.wait_for(EventMatch("DTMFEnd", {"Digit": "9"}), timeout=2)
        assert dtmf.get("Direction") == "Received"
        fake.broadcast(seeds.CAPTURED_HANGUP)
        got = await anext(aiter(events))
        assert got.name == "Hangup"
        with pytest.raises(AmiTimeout, match="waiting for DTMFEnd with Digit='5'"):
            await events.wait_for(EventMatch("DTMFEnd", {"Digit": "5"}), timeout=0.05)
    assert client._subscriptions == ()


async def test_subscription_is_told_about_the_disconnect(fake: FakeAmi, client: AmiClient) -> None:
    events = client.subscribe(EventMatch("Hangup"))
    waiter = asyncio.create_task(events.wait_for(EventMatch("Hangup", {"Cause": "16"}), 5))
    fake.broadcast(seeds.CAPTURED_HANGUP)
    await eventually(lambda: len(events) == 1)
    fake.connections[-1].drop()
    with pytest.raises(AmiConnectionError):
        await waiter
    assert (await anext(aiter(events))).name == "Hangup"  # buffered events stay readable
    with pytest.raises(AmiConnectionError):
        await anext(aiter(events))
    late = client.subscribe()
    with pytest.raises(AmiConnectionError):
        await late.wait_for(None, 1)


async def test_close_logs_off(fake: FakeAmi) -> None:
    ami = AmiClient()
    await ami.connect("127.0.0.1", fake.port, fake.username, fake.secret, timeout=2.0)
    await ami.close()
    assert [r.action for r in fake.connections[-1].requests] == ["Login", "Logoff"]
    assert str(ami.close_reason) == "closed by the client"
    await ami.close()  # idempotent
    with pytest.raises(RuntimeError):
        await ami.connect("127.0.0.1", fake.port, fake.username, fake.secret)


async def test_watchdog_waits_behind_a_blocking_originate(fake: FakeAmi) -> None:
    """A non-Async Originate holds the Asterisk session; the queued Ping is answered later."""
    release = asyncio.Event()

    async def blocking_originate(connection: FakeConnection, request: Request) -> None:
        await release.wait()  # the fake, like Asterisk, reads nothing more until it answers
        connection.respond(request, "Success", ("Message", "Originate successfully queued"))

    fake.on("Originate", blocking_originate)
    ami = AmiClient(ping_interval=0.02, ping_timeout=0.05)
    await ami.connect("127.0.0.1", fake.port, fake.username, fake.secret, timeout=2.0)
    originate = asyncio.create_task(ami.action("Originate", {"Channel": "Local/s@x"}, timeout=3))
    await eventually(lambda: bool(fake.requests_for("Originate")))
    # Proving that nothing happens needs time to pass: ten watchdog periods.
    await asyncio.sleep(0.2)
    assert ami.connected
    release.set()
    assert (await originate).get("Message") == "Originate successfully queued"
    await eventually(lambda: len(fake.requests_for("Ping")) >= 2, what="pings answered again")
    assert ami.connected
    await ami.close()


async def test_cancelled_connect_leaves_nothing_behind(fake: FakeAmi) -> None:
    fake.on("Login", lambda connection, request: None)
    ami = AmiClient()
    attempt = asyncio.create_task(ami.connect("127.0.0.1", fake.port, "ivr", "x", timeout=5))
    await eventually(lambda: bool(fake.requests_for("Login")))
    attempt.cancel()
    with pytest.raises(asyncio.CancelledError):
        await attempt
    assert str(await asyncio.wait_for(ami.wait_closed(), 2)) == "login cancelled"
    await ami.close()
    assert all(task.done() for task in ami._tasks)


async def test_debug_logs_mask_callers_numbers_and_names(
    fake: FakeAmi, client: AmiClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ivr.ami")
    seen: list[str | None] = []
    client.add_listener(lambda message: seen.append(message.get("CallerIDNum")))
    newchannel = seeds.CAPTURED_NEWCHANNEL.replace(
        b"CallerIDNum: <unknown>", b"CallerIDNum: +33612345678"
    ).replace(b"CallerIDName: <unknown>", b"CallerIDName: Jane Doe")
    fake.broadcast(newchannel.replace(b"Exten: s", b"Exten: 0612345678"))
    await eventually(lambda: seen == ["+33612345678"])  # the service still sees the number
    with contextlib.suppress(AmiActionError):
        await client.action("Originate", {"Channel": "Local/x", "CallerID": "+33698765432"})
    assert "Newchannel" in caplog.text
    for personal in ("612345678", "Jane Doe", "698765432"):
        assert personal not in caplog.text
    assert "CallerIDNum: ***78" in caplog.text
