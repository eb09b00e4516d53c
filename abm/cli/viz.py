"""`abm viz [--host 127.0.0.1] [--port 8765]`: serve the browser app (viz/) with Solara, offline.

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

import uvicorn

from abm.cli.args import Parser
from abm.errors import UserError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
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


def parse(args: Sequence[str]) -> argparse.Namespace:
    parser = Parser("viz", "Serve the browser app (offline): Live, Compare, Results and About, in English and "
                    "Swedish.", f"then open http://{DEFAULT_HOST}:{DEFAULT_PORT}/")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to bind (default {DEFAULT_HOST})")
    parser.add_argument("--port", default=str(DEFAULT_PORT), help=f"TCP port (default {DEFAULT_PORT})")
    parsed = parser.parse_args(list(args))
    try:
        port = int(parsed.port)
    except ValueError:
        raise UserError(f"--port={parsed.port!r} is not allowed: an integer in [1, 65535]") from None
    if not 1 <= port <= 65535:
        raise UserError(f"--port={port} is not allowed: an integer in [1, 65535]")
    parsed.port = port
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
    for key, value in SOLARA_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["SOLARA_APP"] = "viz.app"
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = opts.host, str(opts.port)
    import warnings

    # Solara warns on every page over plain http on 127.0.0.1 that it falls back to samesite=lax: intended here.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    from abm.core.model import quiet_mesa

    quiet_mesa()
    print(f"abm viz: serving the browser app at http://{opts.host}:{opts.port}/ (Ctrl+C to stop)", flush=True)
    config = uvicorn.Config("solara.server.starlette:app", host=opts.host, port=opts.port,
                            log_level="warning", access_log=False, ws_ping_interval=20)
    WarmingServer(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(viz_command(sys.argv[1:]))
