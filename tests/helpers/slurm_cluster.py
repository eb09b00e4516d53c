"""A real single-node SLURM cluster for tests: munged, slurmctld and slurmd on this machine (as root).

Everything lives in one temporary folder (keys, sockets, state, logs, slurm.conf) on free ports, so it never
touches a system cluster. Known-good settings for Debian's slurm-wlm 22.05 without systemd or accounting
(see DEVELOPERS_NOTES.md). Without accounting `sacct` fails, and submitit polls `sacct` to notice jobs that
died before writing their result; a `sacct` shim on PATH answers that query from `squeue -h -t all`.
Every daemon started here is stopped by its PID in `stop()`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue")

SACCT_SHIM = """#!/bin/sh
# sacct shim for a test cluster without accounting: submitit's query answered from squeue.
ids=""
while [ $# -gt 0 ]; do
  case "$1" in -j) shift; ids="$ids $1";; esac
  shift
done
echo "JobID|State|NodeList"
squeue -h -r -t all -o "%i|%T|%N" | while IFS='|' read -r id state nodes; do
  for j in $ids; do
    [ "${id%%_*}" = "$j" ] && echo "$id|$state|$nodes"
  done
done
exit 0
"""


def missing_tools() -> list[str]:
    return [d for d in DAEMONS if shutil.which(d) is None and not Path(f"/usr/sbin/{d}").exists()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _exe(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


class SlurmCluster:
    """Start with `start()`, use `env` for every SLURM client call, always `stop()`."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="abm-slurm-", dir="/tmp"))  # short: socket paths are limited
        self.procs: list[subprocess.Popen[bytes]] = []
        self.conf = self.dir / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf),
                    "PATH": f"{self.dir / 'bin'}:{os.environ.get('PATH', '')}"}

    def write_config(self) -> None:
        d = self.dir
        for sub in ("state", "spool", "bin", "munge"):
            (d / sub).mkdir(mode=0o700)
        key = d / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        cpus = os.cpu_count() or 1
        self.conf.write_text(f"""ClusterName=abmtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
AuthType=auth/munge
AuthInfo=socket={d}/munge/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
MinJobAge=3600
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
""", encoding="utf-8")
        shim = d / "bin" / "sacct"
        shim.write_text(SACCT_SHIM, encoding="utf-8")
        shim.chmod(0o755)

    def _spawn(self, args: list[str], log: str) -> None:
        out = open(self.dir / log, "ab")  # noqa: SIM115 (kept open for the daemon's life)
        self.procs.append(subprocess.Popen(args, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                           start_new_session=True))

    def start(self, timeout: float = 60) -> None:
        self.write_config()
        m = self.dir / "munge"
        self._spawn([_exe("munged"), "--foreground", "--force", f"--key-file={m}/munge.key",
                     f"--socket={m}/munge.sock", f"--pid-file={m}/munged.pid", f"--log-file={m}/munged.log",
                     f"--seed-file={m}/munged.seed"], "munged.out")
        self._wait(lambda: (m / "munge.sock").exists(), timeout, "munged did not create its socket")
        self._spawn([_exe("slurmctld"), "-D", "-c", "-f", str(self.conf)], "slurmctld.out")
        self._wait(lambda: self._run(["scontrol", "ping"]).stdout.count("UP") > 0, timeout, "slurmctld is not up")
        self._spawn([_exe("slurmd"), "-D", "-N", "localhost", "-f", str(self.conf)], "slurmd.out")
        self._wait(lambda: "idle" in self._run(["sinfo", "-h", "-o", "%T"]).stdout, timeout,
                   "the node did not become idle")

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=30)

    def _wait(self, check: object, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"a daemon exited early: {what}\n{self.logs()}")
            try:
                if check():  # type: ignore[operator]
                    return
            except (OSError, subprocess.SubprocessError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{what} within {timeout} s\n{self.logs()}")

    def jobs(self) -> list[str]:
        """Every job and array task the scheduler knows ("<id>[_<task>] <state>"), finished ones included."""
        out = self._run(["squeue", "-h", "-r", "-t", "all", "-o", "%i %T"]).stdout
        return [line for line in out.split("\n") if line]

    def logs(self) -> str:
        parts = []
        for f in sorted(self.dir.glob("*.log")) + sorted(self.dir.glob("*.out")) + [self.dir / "munge/munged.log"]:
            if f.is_file():
                parts.append(f"--- {f.name}\n{f.read_text(errors='replace')[-2000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        """Cancel jobs, then stop every daemon we started (reverse order), by PID; remove the folder."""
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            self._run(["scancel", "--user", "root"])
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs.clear()
        shutil.rmtree(self.dir, ignore_errors=True)


def running_cluster() -> Iterator[SlurmCluster]:
    """A started one-node cluster for a module's tests (skips when the SLURM tools are not installed); the
    test modules wrap it as their module-scoped `cluster` fixture."""
    import pytest

    missing = missing_tools()
    if missing:
        pytest.skip(f"SLURM tools not installed: {', '.join(missing)} (apt-get install slurm-wlm munge)")
    c = SlurmCluster()
    try:
        c.start()
        yield c
    finally:
        c.stop()
