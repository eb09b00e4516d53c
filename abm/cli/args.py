"""The one argument parser of every `abm` subcommand.

A mistake becomes one `UserError` line that names the subcommand (the CLI prints it and exits 2, before
anything is written); `--help` prints the subcommand's full usage and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from abm.errors import UserError


class HelpShown(Exception):  # noqa: N818 (a signal, not an error)
    """`--help` was printed: the command ends here with exit status 0."""


class Parser(argparse.ArgumentParser):
    """argparse with the CLI's conventions: one-line errors naming the subcommand, help that exits 0."""

    def __init__(self, command: str, description: str, epilog: str | None = None) -> None:
        super().__init__(prog=f"abm {command}", description=description, epilog=epilog,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
        self.command = command

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> argparse.Namespace:
        ns, rest = self.parse_known_args(args, namespace)
        return self._no_rest(ns, rest)

    def parse_intermixed_args(
        self,
        args: Sequence[str] | None = None,  # type: ignore[override]
        namespace: Any = None,
    ) -> argparse.Namespace:
        ns, rest = self.parse_known_intermixed_args(args, namespace)
        return self._no_rest(ns, rest)

    def _no_rest(self, ns: argparse.Namespace, rest: list[str]) -> argparse.Namespace:
        if rest:
            self.error(f"unknown argument {rest[0]!r}")
        return ns

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{self.command}: {message} (see abm {self.command} --help)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status == 0:
            raise HelpShown
        raise UserError(f"{self.command}: {(message or 'invalid arguments').strip()}")


def check_at_least_one(option: str, value: int | None) -> None:
    """`--option=N` must be a whole number >= 1 when given."""
    if value is not None and value < 1:
        raise UserError(f"{option}={value} is not allowed: an integer >= 1")


MIN_FREE_BYTES = 16 * 2**20  # a report or a run's results: a few MiB; less free space than this is "full"


def check_writable(path: str | Path, option: str) -> None:
    """`option`'s folder can be created and written, checked before any work, without leaving anything.

    The nearest existing ancestor must be a folder in which a probe file can be created (this catches
    permissions, read-only file systems and pseudo file systems, for root too) with MIN_FREE_BYTES free."""
    path = Path(path)
    shown = f"{option}={str(path)!r}"
    if path.exists() and not path.is_dir():
        raise UserError(f"{shown} is not allowed: it exists and is not a folder")
    existing = path.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{shown} is not allowed: {existing} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".abm-probe-"):
            pass
        free = shutil.disk_usage(existing).free
    except OSError as err:
        raise UserError(f"{shown} is not allowed: a writable folder (cannot create a file in {existing}: "
                        f"{err.strerror or err})") from None
    if free < MIN_FREE_BYTES:
        raise UserError(f"{shown} is not allowed: a folder with at least {MIN_FREE_BYTES // 2**20} MiB free "
                        f"({existing} has {free // 2**20} MiB free)")


def capped_workers(option: str, value: int) -> int:
    """Worker processes: at least 1 (checked by the caller), at most the cores; more is capped, with a note."""
    cores = os.cpu_count() or 1
    if value > cores:
        print(f"abm: note: {option}={value} is more than the {cores} cores of this machine: using {cores}",
              file=sys.stderr)
        return cores
    return value


def root_option(parser: Parser) -> None:
    parser.add_argument(
        "--root", default=None, metavar="DIR", help="the results store (default: $ABM_RESULTS, else ./results)"
    )


@contextlib.contextmanager
def printed_store_warnings() -> Iterator[None]:
    """Collect the store reader's warnings (unreadable files, by path) and print each as one line after."""
    from abm.store.reader import StoreWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StoreWarning)
        yield
    for w in caught:
        print(f"abm: warning: {w.message}", file=sys.stderr)
