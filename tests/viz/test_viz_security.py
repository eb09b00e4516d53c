"""The app's guard (viz/guard.py) and limits: Host and Origin checks, the token, the session cap, the
security headers; the scenario-save and organisation-size limits; broken stores and tampered values
reaching the page as one line. The guard is driven directly as an ASGI app and through a real `abm viz`."""

from __future__ import annotations

import asyncio
import gzip
import http.client as httpc
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from abm.errors import UserError
from tests.helpers.viz_support import abm_executable, viz_server
from viz.guard import COOKIE, Guard, Policy, is_loopback
from viz.levers import Settings


def run(coro) -> None:  # noqa: ANN001
    """asyncio.run in a thread of its own: Playwright's sync API (the browser tests, in the same pytest
    process) leaves an event loop running in the main thread."""
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


PAGE = b"<html><head><script>var a = 1;</script><SCRIPT src='/x.js'></SCRIPT></head><body>ok</body></html>"


async def tiny_app(scope, receive, send) -> None:  # noqa: ANN001
    """Stands in for Solara: an HTML page over HTTP (gzip when asked), an echo over a websocket."""
    if scope["type"] == "http":
        gz = scope["path"] == "/gz"
        body = gzip.compress(PAGE) if gz else PAGE
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200,
                    "headers": headers + ([(b"content-encoding", b"gzip")] if gz else [])})
        await send({"type": "http.response.body", "body": body})
    else:
        await receive()
        await send({"type": "websocket.accept"})
        while (await receive())["type"] != "websocket.disconnect":
            pass


def call(guard: Guard, path: str = "/", headers: dict[str, str] | None = None,
         query: str = "") -> tuple[int, dict, bytes]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}
    run(guard(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, b"".join(
        m.get("body", b"") for m in sent[1:])


class FakeSocket:
    """One websocket client of the guard: connects, and stays until `close()`."""

    def __init__(self, guard: Guard, headers: dict[str, str], path: str = "/jupyter/api/kernels/k/channels") -> None:
        self.guard, self.sent, self.inbox = guard, [], asyncio.Queue()
        self.scope = {"type": "websocket", "path": path, "query_string": b"session_id=s",
                      "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
        self.inbox.put_nowait({"type": "websocket.connect"})

    async def receive(self) -> dict:
        return await self.inbox.get()

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    def close(self) -> None:
        self.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})

    @property
    def outcome(self) -> str:
        kinds = [m["type"] for m in self.sent]
        if kinds == ["websocket.close"]:
            return "refused"
        return "closed" if "websocket.close" in kinds else "open"


async def connect_all(sockets: list[FakeSocket]) -> None:
    tasks = [asyncio.create_task(s.guard(s.scope, s.receive, s.send)) for s in sockets]
    await asyncio.sleep(0.05)
    outcomes = [s.outcome for s in sockets]
    for s in sockets:
        s.close()
    await asyncio.gather(*tasks)
    for s, o in zip(sockets, outcomes, strict=True):
        s.seen = o


LOCAL = {"Host": "127.0.0.1:8765"}


def test_requests_for_another_host_or_from_another_origin_are_refused() -> None:
    guard = Guard(tiny_app, Policy.for_server("127.0.0.1", 8765))
    assert call(guard, headers=LOCAL)[0] == 200
    for host in ("localhost:8765", "[::1]:8765"):  # the same loopback address
        assert call(guard, headers={"Host": host, "Origin": f"http://{host}"})[0] == 200
    for bad in ({"Host": "evil.example"}, {"Host": "evil.example:8765"}, {"Host": "127.0.0.1:9999"}, {},
                {**LOCAL, "Origin": "http://evil.example"}, {**LOCAL, "Origin": "null"},
                {**LOCAL, "Origin": "http://localhost:8765"}):
        status, headers, body = call(guard, headers=bad)
        assert status == 403 and body.startswith(b"abm viz: refused") and "content-security-policy" in headers, bad
    served = FakeSocket(guard, {**LOCAL, "Origin": "http://127.0.0.1:8765"})
    evil = FakeSocket(guard, {**LOCAL, "Origin": "http://evil.example"})
    no_origin = FakeSocket(guard, LOCAL)
    run(connect_all([served, evil, no_origin]))
    assert (served.seen, evil.seen, no_origin.seen) == ("open", "refused", "refused")


def test_a_wildcard_bind_serves_ip_literals_and_the_machine_name_only() -> None:
    import socket

    policy = Policy.for_server("0.0.0.0", 9000)
    assert policy.host_ok("10.1.2.3:9000") and policy.host_ok("localhost:9000")
    assert policy.host_ok(f"{socket.gethostname()}:9000")
    assert not policy.host_ok("evil.example:9000") and not policy.host_ok("10.1.2.3:9001")
    assert not is_loopback("0.0.0.0") and is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")


def test_every_response_carries_the_csp_and_inline_scripts_get_its_nonce() -> None:
    guard = Guard(tiny_app, Policy.for_server("127.0.0.1", 8765))
    for path in ("/", "/gz"):
        status, headers, body = call(guard, path, LOCAL)
        policy = headers["content-security-policy"]
        for part in ("default-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'",
                     "connect-src 'self' ws://127.0.0.1:8765", "img-src 'self' data: blob:"):
            assert part in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
        assert body.count(f'<script nonce="{nonce}"'.encode()) == 2 and b"var a = 1;" in body
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
        assert "content-encoding" not in headers and int(headers["content-length"]) == len(body)
    other = call(guard, "/", LOCAL)[1]["content-security-policy"]
    assert other != policy  # a fresh nonce per response


def test_with_a_token_only_its_holders_get_in() -> None:
    guard = Guard(tiny_app, Policy.for_server("10.0.0.5", 8765, token="s3cret-token"))
    host = {"Host": "10.0.0.5:8765"}
    assert call(guard, headers=host)[0] == 403
    assert call(guard, headers=host, query="token=wrong")[0] == 403
    status, headers, _ = call(guard, "/results", host, query="token=s3cret-token&x=1")
    assert status == 303 and headers["location"] == "/results?x=1"  # the token leaves the address bar
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "s3cret-token" not in cookie
    jar = cookie.split(";", 1)[0]
    assert call(guard, headers={**host, "Cookie": jar})[0] == 200
    assert call(guard, headers={**host, "Cookie": f"{COOKIE}=forged"})[0] == 403
    assert call(guard, headers={**host, "Authorization": "token s3cret-token"})[0] == 200
    ws = {**host, "Origin": "http://10.0.0.5:8765"}
    holder, stranger = FakeSocket(guard, {**ws, "Cookie": jar}), FakeSocket(guard, ws)
    run(connect_all([holder, stranger]))
    assert (holder.seen, stranger.seen) == ("open", "refused")


def test_the_session_cap_refuses_the_next_websocket_with_a_reason_and_frees_a_slot_on_close() -> None:
    guard = Guard(tiny_app, Policy.for_server("127.0.0.1", 8765, max_sessions=3))
    ws = {**LOCAL, "Origin": "http://127.0.0.1:8765"}
    sockets = [FakeSocket(guard, ws) for _ in range(4)]
    run(connect_all(sockets))
    assert [s.seen for s in sockets] == ["open", "open", "open", "closed"]
    close = sockets[3].sent[-1]
    assert close["code"] == 1013 and "3 sessions are open" in close["reason"] and "--max-sessions" in close["reason"]
    assert guard.sessions.open == 0
    again = FakeSocket(guard, ws)
    run(connect_all([again]))
    assert again.seen == "open"


# -- a real server ---------------------------------------------------------------------------------------

TOKEN = "real-server-token-42"


@pytest.fixture(scope="module")
def guarded_server():  # noqa: ANN201
    with viz_server(args=("--max-sessions", "2"), token=TOKEN) as srv:
        yield srv


def get(url: str, headers: dict[str, str], path: str = "/") -> httpc.HTTPResponse:
    u = urlparse(url)
    conn = httpc.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.putrequest("GET", path, skip_host=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def ws_url(url: str) -> str:
    return url.replace("http://", "ws://") + "jupyter/api/kernels/k{}/channels?session_id=s{}"


def test_the_real_server_refuses_other_hosts_origins_and_tokenless_requests(guarded_server) -> None:  # noqa: ANN001
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    netloc = urlparse(guarded_server.url).netloc
    assert get(guarded_server.url, {"Host": "evil.example", "Authorization": f"token {TOKEN}"}).status == 403
    assert get(guarded_server.url, {"Host": netloc}).status == 403  # no token, no cookie
    first = get(guarded_server.url, {"Host": netloc}, f"/?token={TOKEN}")
    assert first.status == 303
    jar = first.getheader("set-cookie").split(";", 1)[0]
    page = get(guarded_server.url, {"Host": netloc, "Cookie": jar})
    assert page.status == 200 and "script-src 'self' 'nonce-" in page.getheader("content-security-policy")
    url = ws_url(guarded_server.url)
    with pytest.raises(InvalidStatus) as refused:
        connect(url.format(1, 1), origin="http://evil.example", additional_headers={"Cookie": jar}, open_timeout=30)
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        connect(url.format(2, 2), origin=f"http://{netloc}", open_timeout=30)  # the served origin, no cookie
    with connect(url.format(3, 3), origin=f"http://{netloc}", additional_headers={"Cookie": jar},
                 open_timeout=30) as ws:
        assert ws.protocol.state.name == "OPEN"


def test_the_real_server_refuses_a_session_beyond_max_sessions() -> None:
    """A server of its own: a session's slot is given back only once Solara has finished with its socket."""
    import contextlib
    import time

    from websockets.sync.client import connect

    with viz_server(args=("--max-sessions", "2"), token=TOKEN) as server, contextlib.ExitStack() as stack:
        netloc = urlparse(server.url).netloc
        url, opts = ws_url(server.url), {"origin": f"http://{netloc}", "open_timeout": 30,
                                         "additional_headers": {"Authorization": f"token {TOKEN}"}}
        one, two, third = (stack.enter_context(connect(url.format(k, k), **opts)) for k in (10, 11, 12))
        deadline = time.monotonic() + 15
        while third.protocol.close_code is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert third.protocol.close_code == 1013 and "--max-sessions" in third.protocol.close_reason
        assert one.protocol.close_code is None and two.protocol.close_code is None  # the first two stay open
        assert "refused a session: 2 are open" in server.output()


def test_abm_viz_help_lists_the_security_options_and_refuses_bad_ones() -> None:
    out = subprocess.run([*abm_executable(), "viz", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for option in ("--token", "--max-sessions", "--max-staff", "--max-saves"):
        assert option in out.stdout
    for args, message in ((["--max-sessions", "0"], "--max-sessions=0 is not allowed"),
                          (["--token", "short"], "--token is not allowed")):
        bad = subprocess.run([*abm_executable(), "viz", *args], capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2 and message in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


# -- the app's own limits ----------------------------------------------------------------------------------

def test_a_session_saves_at_most_20_scenarios_and_the_21st_is_refused(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from viz import state

    monkeypatch.delenv("ABM_VIZ_MAX_SAVES", raising=False)
    state.saves.set(0)
    try:
        for i in range(20):
            state.save((state.live,), f"s{i}", "", tmp_path)
        with pytest.raises(UserError, match="this session has saved 20 scenarios, the most this server allows"):
            state.save((state.live,), "s20", "", tmp_path)
    finally:
        state.saves.set(0)
    workshop, experiments = tmp_path / "workshop", tmp_path / "experiments"
    assert len(list(workshop.glob("*.yaml"))) == 20 and len(list(experiments.glob("*.yaml"))) == 20


def test_an_organisation_above_max_staff_is_refused_before_it_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    from viz import state
    from viz.sim import Simulation

    monkeypatch.setenv("ABM_VIZ_MAX_STAFF", "10000")
    with pytest.raises(UserError, match="organisation=system has 100,000 staff: this server allows at most 10,000"):
        Simulation.build(Settings(organisation="system"))
    run = state._run(Settings(organisation="small"))
    run.draft.set(Settings(organisation="system"))
    state.reset(run, state.tick)
    assert "at most 10,000" in run.errors.value["reset"] and run.sim.value is None


@pytest.mark.parametrize("tamper", [
    {"seed": 10**40}, {"practice": "<script>x</script>"}, {"organisation": "../../etc/passwd"}, {"seed": -5},
])
def test_a_tampered_setting_is_refused_in_one_line_with_no_traceback_or_path(tamper: dict) -> None:
    from viz import state

    run = state._run(Settings(organisation="small"))
    run.draft.set(Settings(organisation="small").with_(**tamper))
    state.reset(run, state.tick)
    message = run.errors.value.get("reset", "")
    if run.sim.value is None:  # refused (a negative seed may be a valid seed to the model)
        assert message and "\n" not in message and "Traceback" not in message and "/work" not in message
        assert str(Path.cwd()) not in message


@pytest.mark.parametrize("text", [object(), "1e999", "nan", ["0.3"], "0.3; rm -rf /"])
def test_a_tampered_lever_value_is_refused_and_the_model_is_untouched(text: object) -> None:
    from viz import state
    from viz.levers import BY_ID

    run = state._run(Settings(organisation="small"))
    before = run.draft.value
    for lever in (BY_ID["budget"], BY_ID["period_weeks"], BY_ID["decided_by"]):
        state.set_lever(run, lever, text)  # type: ignore[arg-type]
        assert run.draft.value == before and lever.id in run.errors.value
        assert "Traceback" not in run.errors.value[lever.id] and "\n" not in run.errors.value[lever.id]


def test_a_page_that_fails_shows_one_line_and_no_traceback() -> None:
    import ipyvuetify as v
    import solara

    from viz.app import guarded

    @solara.component
    def Broken() -> None:
        def boom() -> None:
            raise RuntimeError("/srv/secret/path exploded")

        solara.Button("click", on_click=boom)

    box, rc = solara.render(guarded(Broken)(), handle_error=False)
    rc.find(v.Btn, children=["click"]).widget.click()
    texts = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
    assert "This page could not be shown (RuntimeError)" in texts and "/srv/secret" not in texts
    assert "Traceback" not in texts
    rc.close()


def test_a_store_that_raises_anything_is_one_line_naming_the_experiment(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from viz import results_page
    from viz import store_reader as sr

    def broken(name: str, root: Path) -> None:
        raise KeyError(f"{root}/x/runs/secret")

    monkeypatch.setattr(sr, "load", broken)
    message = results_page.load_or_message("exp", tmp_path)
    assert message.endswith("exp (KeyError; the server's console has the details)") and str(tmp_path) not in message
    note = results_page.replay_data(str(tmp_path / "exp" / "runs" / "h" / "seed=0"), 0, tmp_path)
    assert isinstance(note, str) and note.startswith("exp/runs/h/seed=0: ") and str(tmp_path) not in note
