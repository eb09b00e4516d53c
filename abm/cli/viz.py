"""`abm viz [--host 127.0.0.1] [--port 8765] [--token T] [--max-sessions N] [--max-staff N] [--max-saves N]
[--scenarios DIR]`:
serve the browser app (viz/) with Solara, offline, behind the guard of viz/guard.py (docs/app.md, Security).

Solara is started directly under uvicorn rather than through `solara run`, because its CLI checks
PyPI for a newer version and its development mode embeds a call-home iframe: a hospital intranet
is offline, so no request may leave the machine. Web assets come from the `solara-assets` package
(served from the local proxy cache); telemetry is switched off.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from abm.cli.args import Parser, check_writable
from abm.errors import UserError
from abm.paths import SCENARIOS_ENV

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_SESSIONS = 8
DEFAULT_MAX_SAVES = 20  # scenario saves per browser session
REMOTE_MAX_STAFF = 10_000  # off loopback: the 8,000-staff region, not the 100,000-staff system (~0.5 GB each)
# Environment Solara reads at import: production mode (no call-home check), no telemetry, local assets,
# and a short cull so a session whose tab went away (without a close signal) frees its model soon.
SOLARA_ENV = {
    "SOLARA_MODE": "production",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_ASSETS_PROXY": "True",
    # an asset missing from solara-assets must fail at once, never be fetched from the internet
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/",
    "SOLARA_THEME_LOADER": "plain",
    "SOLARA_KERNEL_CULL_TIMEOUT": "120s",
}


def _count(option: str, text: str, lo: int, hi: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UserError(f"{option}={text!r} is not allowed: an integer in [{lo}, {hi}]") from None
    if not lo <= value <= hi:
        raise UserError(f"{option}={value} is not allowed: an integer in [{lo}, {hi}]")
    return value


def parse(args: Sequence[str]) -> argparse.Namespace:
    parser = Parser("viz", "Serve the browser app (offline): Live, Compare, Results and Info, in English and "
                    "Swedish.", f"then open http://{DEFAULT_HOST}:{DEFAULT_PORT}/ (docs/app.md: Security)")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to bind (default {DEFAULT_HOST}); any "
                        "other than loopback asks for a token")
    parser.add_argument("--port", default=str(DEFAULT_PORT), help=f"TCP port (default {DEFAULT_PORT})")
    parser.add_argument("--token", default=None, help="the token the browser must present (default: a random one "
                        "off loopback, none on loopback; giving one asks for it on loopback too)")
    parser.add_argument("--max-sessions", default=str(DEFAULT_MAX_SESSIONS), metavar="N",
                        help=f"browser sessions open at once (default {DEFAULT_MAX_SESSIONS}); the next is refused")
    parser.add_argument("--max-staff", default=None, metavar="N", help="largest organisation a session may build "
                        f"(default: no limit on loopback, {REMOTE_MAX_STAFF:,} otherwise)")
    parser.add_argument("--max-saves", default=str(DEFAULT_MAX_SAVES), metavar="N",
                        help=f"scenario saves per browser session (default {DEFAULT_MAX_SAVES})")
    parser.add_argument("--no-tour", action="store_true",
                        help="do not open the guided tour on a first visit (its Tour button still does)")
    parser.add_argument("--scenarios", default=None, metavar="DIR",
                        help="the folder the app saves scenarios into (default $ABM_SCENARIOS, else "
                        "~/.local/share/ehealth-abm/scenarios); abm run and abm experiment find them there")
    parsed = parser.parse_args(list(args))
    if parsed.scenarios is not None:
        if not parsed.scenarios.strip():
            raise UserError("--scenarios='' is not allowed: a folder")
        check_writable(parsed.scenarios, "--scenarios")
    parsed.port = _count("--port", parsed.port, 1, 65535)
    parsed.max_sessions = _count("--max-sessions", parsed.max_sessions, 1, 10_000)
    parsed.max_saves = _count("--max-saves", parsed.max_saves, 0, 1_000_000)
    parsed.max_staff = None if parsed.max_staff is None else _count("--max-staff", parsed.max_staff, 1, 10_000_000)
    if parsed.token is not None and (len(parsed.token) < 8 or not parsed.token.isprintable() or " " in parsed.token):
        raise UserError("--token is not allowed: at least 8 printable characters, no spaces")
    return parsed


def check_bindable(host: str, port: int) -> None:
    """Fail with one line (not a uvicorn traceback) when the address is taken or unknown."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as err:
        raise UserError(f"cannot listen on --host {host} --port {port}: {err.strerror or err}") from None


class WarmingServer(uvicorn.Server):
    """uvicorn's server that, once listening, loads the model's kernels in the background while the
    first browser fetches the page's assets (viz.sim.warm_up_in_background; docs/app.md)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        from viz.sim import warm_up_in_background

        warm_up_in_background()


def viz_command(args: Sequence[str]) -> int:
    """Start the app and serve until interrupted."""
    opts = parse(args)
    check_bindable(opts.host, opts.port)
    from viz.guard import Guard, Policy, is_loopback, new_token

    remote = not is_loopback(opts.host)
    token = opts.token if opts.token is not None else (new_token() if remote else None)
    max_staff = opts.max_staff if opts.max_staff is not None else (REMOTE_MAX_STAFF if remote else None)
    for key, value in SOLARA_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["SOLARA_APP"] = "viz.app"
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = opts.host, str(opts.port)
    # the app's own limits, read by viz.sim (organisation size) and viz.state (scenario saves)
    os.environ["ABM_VIZ_MAX_SAVES"] = str(opts.max_saves)
    if opts.no_tour:
        os.environ["ABM_VIZ_TOUR"] = "0"
    if opts.scenarios is not None:  # abm.paths.scenarios_dir: where the app saves, and Hydra looks
        os.environ[SCENARIOS_ENV] = str(Path(opts.scenarios).expanduser().absolute())
    if max_staff is None:
        os.environ.pop("ABM_VIZ_MAX_STAFF", None)
    else:
        os.environ["ABM_VIZ_MAX_STAFF"] = str(max_staff)
    import warnings

    # Solara warns on every page over plain http on 127.0.0.1 that it falls back to samesite=lax: intended here.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    from abm.core.model import quiet_mesa

    quiet_mesa()
    from solara.server.starlette import app as solara_app

    app = Guard(solara_app, Policy.for_server(opts.host, opts.port, token, opts.max_sessions))
    shown = "localhost" if opts.host in ("0.0.0.0", "::") else opts.host
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{opts.port}/" + (f"?token={token}" if token else "")
    if remote:
        print(f"abm viz: warning: --host {opts.host} makes the app reachable from other machines; only those "
              "given the token can use it (docs/app.md, Security)", flush=True)
    print(f"abm viz: serving the browser app at {url} (Ctrl+C to stop)", flush=True)
    config = uvicorn.Config(app, host=opts.host, port=opts.port, log_level="warning", access_log=False,
                            ws_ping_interval=20)
    WarmingServer(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(viz_command(sys.argv[1:]))
