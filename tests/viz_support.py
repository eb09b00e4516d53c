"""Helpers for the app's tests: start `abm viz` as a real subprocess, and write a small results store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def viz_server(env: dict[str, str] | None = None, timeout: float = 90.0) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """`abm viz` on a free port of 127.0.0.1; yields (url, process, seconds until it answered); stopped by PID."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([*abm_executable(), "viz", "--port", str(port)], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise RuntimeError(f"abm viz exited with {proc.returncode}: {out[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - start > timeout:
                raise RuntimeError("abm viz did not answer in time")
            time.sleep(0.2)
        yield url, proc, time.perf_counter() - start
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _config_hash(overrides: list[str]) -> str:
    import hashlib

    return hashlib.sha1(" ".join(sorted(overrides)).encode()).hexdigest()[:12]


def write_store(root: Path, name: str = "quickstart", weeks: int = 30, seeds: int = 3,
                practices: tuple[str, ...] = ("exploit_only", "contextual")) -> Path:
    """Run small simulations and store them as `<root>/<name>/runs/<hash>/seed=<s>/` with provenance."""
    from abm.api import compose
    from abm.params import to_dict
    from abm.results import simulate, write_run

    exp = root / name
    exp.mkdir(parents=True, exist_ok=True)
    (exp / "experiment.yaml").write_text(
        f"name: {name}\ndescription: a small test experiment\nbase: [organisation=small, weeks={weeks}]\n"
        f"sweep: {{practice: {','.join(practices)}}}\nseeds: {seeds}\n"
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
