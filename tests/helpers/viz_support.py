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


PAUSE = """() => new Promise((done) => {
  const start = performance.now();
  document.querySelector('.abm-pause').click();
  const check = () => document.querySelector('.abm-play') ? done(performance.now() - start)
                                                          : requestAnimationFrame(check);
  check();
})"""  # ms from the click on Pause until the page shows Play again (the server has answered)


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
def viz_server(env: dict[str, str] | None = None, timeout: float = 120.0, args: tuple[str, ...] = (),
               token: str | None = None) -> Iterator[Server]:
    """`abm viz` on a free port of 127.0.0.1, its output in a log file; stopped by PID on exit. With `token`
    it is started with `--token` and polled with the token in an `Authorization` header. The guided tour
    does not open by itself (as with `--no-tour`) unless `env` has ABM_VIZ_TOUR=1: its card would sit over
    what other tests click."""
    port = free_port()
    args = (*args, "--token", token) if token else args
    start = time.perf_counter()
    log = Path(tempfile.mkstemp(prefix="abm-viz-", suffix=".log")[1])
    with open(log, "wb") as sink:
        proc = subprocess.Popen([*abm_executable(), "viz", "--port", str(port), *args],
                                env={**os.environ, "ABM_VIZ_TOUR": "0", **(env or {})}, stdout=sink,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"abm viz exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                ask = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
                with urllib.request.urlopen(ask, timeout=2) as r:
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
        f"metrics: [maturity_total, care_production, waiting_list, remote_share]\n"
        f"baseline: practice={practices[0]}\n",
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


HOSTILE_VALUE = 'exploit_only`<img src=x onerror="window.__xss=1">`<script>window.__xss=2</script>'
HOSTILE_DESCRIPTION = 'a store note `<img src=x onerror="window.__xss=3">` and <script>window.__xss=4</script>'


def write_hostile_store(root: Path, weeks: int = 6, seeds: int = 2) -> tuple[Path, Path]:
    """A results store written by someone hostile: experiment `hostile` whose swept value, baseline and
    description carry markup and script (each would set `window.__xss` if rendered as HTML), and experiment
    `broken` with one truncated Parquet file. Returns (the hostile experiment's folder, the truncated file)."""
    import json

    import yaml

    write_store(root, "hostile", weeks=weeks, seeds=seeds)
    exp = root / "hostile"
    for prov in exp.glob("runs/*/seed=*/provenance.json"):  # the swept value the page labels runs by
        data = json.loads(prov.read_text(encoding="utf-8"))
        data["overrides"] = [o.replace("practice=exploit_only", f"practice={HOSTILE_VALUE}")
                             for o in data["overrides"]]
        prov.write_text(json.dumps(data), encoding="utf-8")
    spec = yaml.safe_load((exp / "experiment.yaml").read_text(encoding="utf-8"))
    spec.update(description=HOSTILE_DESCRIPTION, baseline=f"practice={HOSTILE_VALUE}",
                sweep={"practice": f"{HOSTILE_VALUE},contextual"})
    (exp / "experiment.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    write_store(root, "broken", weeks=weeks, seeds=seeds)
    bad = sorted((root / "broken").glob("runs/*/seed=1/region.parquet"))[0]
    bad.write_bytes(bad.read_bytes()[:200])
    return exp, bad


MORRIS = """name: {name}
description: a small Morris screen
base: [organisation=small, weeks={weeks}]
sensitivity:
  {design}
  params:
    practice.budget: [0.0, 0.4]
    learning.p_socialise: [0.01, 0.5]
    organisation.share_champions: [0.0, 0.2]
seeds: 1
metrics: [maturity_total, care_production]
"""


def write_morris_store(root: Path, name: str = "morris_small", weeks: int = 6, trajectories: int = 4,
                       sobol_samples: int = 0) -> Path:
    """A small Morris experiment (3 factors, `trajectories` x 4 design points, one seed each; with
    `sobol_samples`, a Sobol design of 5 x that many points instead) run into the store as `abm experiment`
    runs it, for the Results page's indices."""
    from tests.helpers.experiment_helpers import run_in_process

    design = (f"method: sobol\n  samples: {sobol_samples}" if sobol_samples
              else f"method: morris\n  trajectories: {trajectories}\n  levels: 4")
    with tempfile.TemporaryDirectory() as tmp:
        run_in_process(MORRIS.format(name=name, weeks=weeks, design=design), Path(tmp), root, name)
    return root
