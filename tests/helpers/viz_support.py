"""Helpers for the app's tests: start `abm viz` as a real subprocess, and write a small results store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def abm_executable() -> list[str]:
    script = Path(sys.executable).with_name("abm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "abm.cli"]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    seconds: float  # from start until it answered HTTP
    log: Path  # the server's stdout and stderr

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def viz_server(env: dict[str, str] | None = None, timeout: float = 120.0) -> Iterator[Server]:
    """`abm viz` on a free port of 127.0.0.1, its output in a log file; stopped by PID on exit."""
    port = free_port()
    start = time.perf_counter()
    log = Path(tempfile.mkstemp(prefix="abm-viz-", suffix=".log")[1])
    with open(log, "wb") as sink:
        proc = subprocess.Popen([*abm_executable(), "viz", "--port", str(port)], env={**os.environ, **(env or {})},
                                stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"abm viz exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - start > timeout:
                raise RuntimeError("abm viz did not answer in time")
            time.sleep(0.2)
        yield Server(url, proc, time.perf_counter() - start, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)


def _config_hash(overrides: list[str]) -> str:
    import hashlib

    return hashlib.sha1(" ".join(sorted(overrides)).encode()).hexdigest()[:12]


def write_store(root: Path, name: str = "quickstart", weeks: int = 30, seeds: int = 3,
                practices: tuple[str, ...] = ("exploit_only", "contextual")) -> Path:
    """Run small simulations and store them as `<root>/<name>/runs/<hash>/seed=<s>/` with provenance."""
    from abm.api import compose
    from abm.core.params import to_dict
    from abm.simulation import simulate
    from abm.store.files import write_run

    exp = root / name
    exp.mkdir(parents=True, exist_ok=True)
    (exp / "experiment.yaml").write_text(
        f"name: {name}\ndescription: a small test experiment\nbase: [organisation=small, weeks={weeks}]\n"
        f"sweep: {{practice: '{','.join(practices)}'}}\nseeds: {seeds}\n"
        f"metrics: [maturity_total, care_production, dc_index]\nbaseline: practice={practices[0]}\n",
        encoding="utf-8")
    for practice in practices:
        overrides = ["organisation=small", f"weeks={weeks}", f"practice={practice}"]
        digest = _config_hash(overrides)
        for seed in range(seeds):
            params = compose([*overrides, f"seed={seed}"])
            result = simulate(params)
            result.provenance.update({"experiment": name, "config_hash": digest, "overrides": overrides,
                                      "seed": seed, "status": "ok", "config": to_dict(params)})
            write_run(result, exp / "runs" / digest / f"seed={seed}")
    return root
