"""The app's front door: an ASGI middleware around Solara's Starlette app (installed by `abm viz`).

Every HTTP request and websocket upgrade passes these checks before Solara sees it:

- `Host` must name the served address (host:port; `localhost`, `127.0.0.1` and `[::1]` are the same address
  when bound to loopback; any of the machine's names or IP literals when bound to a wildcard such as 0.0.0.0),
  which stops DNS rebinding; refused with 403.
- `Origin`, when present (always for a websocket), must be the served origin `http://<Host>`, so no other
  site's page can drive the widgets; refused with 403.
- With a token (always on a non-loopback `--host`, as Jupyter does): the first request carrying `?token=...`
  sets an HttpOnly, SameSite=Strict cookie and is redirected to the same address without the token; every
  later request and the websocket need that cookie (or the token). Refused with 403.
- At most `max_sessions` websockets (browser sessions) at once; the next is accepted and closed at once with
  code 1013 and a reason that says why.

Every HTTP response carries a Content-Security-Policy (inline scripts only with the page's per-response
nonce; `'unsafe-eval'` because Solara compiles its Vue templates in the browser), `X-Content-Type-Options:
nosniff` and `Referrer-Policy: no-referrer`. Only the standard library is imported (start-up stays fast).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "abm-viz-token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARDS = ("0.0.0.0", "::", "")
SESSION_PATH = "/jupyter/api/kernels/"  # Solara's kernel websocket: one per browser session (tab)
CLOSE_TRY_LATER = 1013
SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.IGNORECASE)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`; a wildcard (0.0.0.0) or any other name is not loopback."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


@dataclass
class Policy:
    """What the guard enforces for one server."""

    host: str
    port: int
    token: str | None = None  # None: no token asked (loopback without --token)
    max_sessions: int = 8
    names: frozenset[str] = field(default_factory=frozenset)  # host:port values accepted in `Host`
    any_ip: bool = False  # wildcard bind: any IP literal with the right port is the served address

    @classmethod
    def for_server(cls, host: str, port: int, token: str | None = None, max_sessions: int = 8) -> Policy:
        """The names a browser uses to reach `host:port` (see the module docstring)."""
        bracket = f"[{host}]" if ":" in host and not host.startswith("[") else host
        names = {bracket.lower()}
        wildcard = host in WILDCARDS
        if is_loopback(host) or wildcard:
            names |= set(LOOPBACK_NAMES)
        if wildcard:
            with contextlib.suppress(OSError):
                names.add(socket.gethostname().lower())
        return cls(host, port, token, max_sessions, frozenset(f"{n}:{port}" for n in names), wildcard)

    def host_ok(self, value: str) -> bool:
        value = value.strip().lower()
        if not value:
            return False
        if not re.search(r":\d+$", value) or value.endswith("]"):
            value = f"{value}:80"
        if value in self.names:
            return True
        name, _, port = value.rpartition(":")
        return self.any_ip and port == str(self.port) and _ip_literal(name)

    def cookie_value(self) -> str:
        """What the cookie holds: a digest of the token (the token itself never goes into a cookie)."""
        assert self.token is not None
        return hmac.new(self.token.encode(), b"abm viz session cookie", hashlib.sha256).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


def csp(host: str, nonce: str) -> str:
    """The Content-Security-Policy of one response (docs/app.md, Security)."""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        f"connect-src 'self' ws://{host}",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class Sessions:
    """A thread-safe count of open websocket sessions."""

    def __init__(self) -> None:
        self.open = 0
        self._lock = threading.Lock()

    def take(self, limit: int) -> bool:
        with self._lock:
            if self.open >= limit:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.open -= 1


class Guard:
    """The middleware: `Guard(solara_app, Policy.for_server(host, port, token))`."""

    def __init__(self, app: ASGIApp, policy: Policy) -> None:
        self.app = app
        self.policy = policy
        self.sessions = Sessions()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        reason = self.refusal(kind, headers, scope)
        if reason:
            await (self.refuse_http(send, reason) if kind == "http" else self.refuse_ws(receive, send, reason))
            return
        if kind == "websocket":
            await self.websocket(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        if self.policy.token is not None and "token" in query and scope.get("method") in ("GET", "HEAD"):
            rest = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                                           keep_blank_values=True) if k != "token"])
            await self.redirect(send, scope.get("path", "/") + (f"?{rest}" if rest else ""), host)
            return
        await self.app(scope, receive, self.headers_added(send, host, scope))

    # -- checks -----------------------------------------------------------------------------------------
    def refusal(self, kind: str, headers: dict[str, str], scope: Scope) -> str:
        """Why this request is refused, or "" when it may pass."""
        host = headers.get("host", "")
        if not self.policy.host_ok(host):
            return f"Host {host!r} is not the address this server serves"
        origin = headers.get("origin")
        if (origin is not None or kind == "websocket") and (origin or "").lower() != f"http://{host.lower()}":
            return f"Origin {origin!r} is not this server's origin"
        if self.policy.token is not None and not self.token_ok(headers, scope):
            return "this server needs its token: open the address abm viz printed (with ?token=...)"
        return ""

    def token_ok(self, headers: dict[str, str], scope: Scope) -> bool:
        token = self.policy.token
        assert token is not None
        given = [v for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k == "token"]
        auth = headers.get("authorization", "")
        if auth.lower().startswith("token "):
            given.append(auth[6:].strip())
        if any(hmac.compare_digest(g.encode(), token.encode()) for g in given):
            return True
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001  (a malformed cookie header is no cookie)
            return False
        held = cookies.get(COOKIE)
        return held is not None and hmac.compare_digest(held.value.encode(), self.policy.cookie_value().encode())

    # -- responses --------------------------------------------------------------------------------------
    def security_headers(self, host: str, nonce: str) -> list[tuple[bytes, bytes]]:
        return [(b"content-security-policy", csp(host, nonce).encode("latin-1")),
                (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"no-referrer")]

    async def refuse_http(self, send: Send, reason: str) -> None:
        body = f"abm viz: refused: {reason}\n".encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()),
                                *self.security_headers("", secrets.token_urlsafe(16))]})
        await send({"type": "http.response.body", "body": body})

    async def refuse_ws(self, receive: Receive, send: Send, reason: str) -> None:
        """Close before accepting: the client's upgrade gets HTTP 403."""
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})

    async def redirect(self, send: Send, location: str, host: str) -> None:
        cookie = f"{COOKIE}={self.policy.cookie_value()}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode()),
                                (b"content-length", b"0"),
                                *self.security_headers(host, secrets.token_urlsafe(16))]})
        await send({"type": "http.response.body", "body": b""})

    async def websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not scope.get("path", "").startswith(SESSION_PATH):
            await self.app(scope, receive, send)
            return
        if not self.sessions.take(self.policy.max_sessions):
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": CLOSE_TRY_LATER,
                        "reason": f"abm viz: {self.policy.max_sessions} sessions are open, the most this server "
                                  "allows (--max-sessions); close a tab or try later"})
            print(f"abm viz: refused a session: {self.policy.max_sessions} are open (--max-sessions)",
                  file=sys.stderr, flush=True)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.sessions.give_back()

    def headers_added(self, send: Send, host: str, scope: Scope) -> Send:
        """`send`, adding the security headers, and the CSP nonce to the inline scripts of an HTML page."""
        nonce = secrets.token_urlsafe(16)
        held: dict[str, Any] = {}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"content-security-policy", b"x-content-type-options",
                                                b"referrer-policy")]
                message = {**message, "headers": [*headers, *self.security_headers(host, nonce)]}
                ctype = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                if ctype.startswith(b"text/html"):
                    held.update(start=message, body=[])  # the page's inline scripts need the nonce
                    return
                await send(message)
            elif message["type"] == "http.response.body" and "start" in held:
                held["body"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                await self.send_page(send, held["start"], b"".join(held["body"]), nonce)
            else:
                await send(message)

        return wrapped

    async def send_page(self, send: Send, start: Message, body: bytes, nonce: str) -> None:
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        encoding = dict((k.lower(), v) for k, v in headers).get(b"content-encoding", b"").lower()
        if encoding == b"gzip":
            body = gzip.decompress(body)
            headers = [(k, v) for k, v in headers if k.lower() != b"content-encoding"]
        elif encoding:
            body = b""  # an encoding this guard cannot read: send nothing rather than an unguarded page
        body = SCRIPT_TAG.sub(f'<script nonce="{nonce}"'.encode(), body)
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
