"""The one argument parser of every `abm` subcommand.

A mistake becomes one `UserError` line that names the subcommand (the CLI prints it and exits 2, before
anything is written); `--help` prints the subcommand's full usage and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from abm.errors import UserError
from abm.store.files import unwritable_reason


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


def check_writable(path: str | Path, option: str) -> None:
    """`option`'s folder can be created and written (abm.store.files.unwritable_reason), checked before any work."""
    reason = unwritable_reason(path)
    if reason:
        raise UserError(f"{option}={str(path)!r} is not allowed: {reason}")


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
    """Collect the store reader's reports (unreadable files, by path) and print each as one line after."""
    from abm.store.reader import collected_notes

    with collected_notes() as notes:
        yield
    for note in notes:
        print(f"abm: warning: {note}", file=sys.stderr)
