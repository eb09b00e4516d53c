"""`abm validate [--quick] [--out DIR] [--workers N] [--only NAMES]`: the docking report.

Exit status 0 when every check passes, 1 when any fails, 2 for a bad argument (nothing written).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from abm.errors import UserError

USAGE = """usage: abm validate [--quick] [--out DIR] [--workers N] [--only NAME[,NAME...]]

Runs every docking check of VALIDATION.md through the full model and writes DIR/report.md, results.csv
and figures (default DIR: outputs/validation). --quick runs small versions (about a minute).
Exit status 1 when any check fails."""


def parse(args: Sequence[str]) -> tuple[bool, Path, int | None, tuple[str, ...]]:
    """(quick, out, workers, only) from the arguments; UserError names a bad one."""
    from abm.validation.report import CHECKS

    quick, out, workers, only = False, Path("outputs/validation"), None, ()
    it = iter(args)
    for a in it:
        if a == "--quick":
            quick = True
        elif a in ("--out", "--workers", "--only"):
            value = next(it, None)
            if value is None:
                raise UserError(f"{a} needs a value")
            if a == "--out":
                out = Path(value)
            elif a == "--workers":
                if not value.isdigit() or int(value) < 1:
                    raise UserError(f"--workers={value!r} is not allowed: a whole number >= 1")
                workers = int(value)
            else:
                only = tuple(value.split(","))
                known = [c.name for c in CHECKS]
                bad = [n for n in only if n not in known]
                if bad:
                    raise UserError(f"--only={bad[0]!r} is not allowed: one of {', '.join(known)}")
        else:
            raise UserError(f"unknown argument {a!r} for abm validate (see abm validate --help)")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out={str(out)!r} is not allowed: it exists and is not a folder")
    return quick, out, workers, only


def validate_command(args: Sequence[str]) -> int:
    if any(a in ("-h", "--help") for a in args):
        print(USAGE)
        return 0
    quick, out, workers, only = parse(args)
    from abm.validation.report import validate

    ok, path, tables = validate(out, quick=quick, workers=workers, progress=sys.stderr.isatty(), only=only)
    import pandas as pd

    rows = pd.concat(tables.values())
    for r in rows.itertuples(index=False):
        print(f"{'pass' if r.passed else 'FAIL'}  {r.check:<38} measured {r.measured:<10.4g} {r.parameters}")
    print(f"\n{int(rows['passed'].sum())} of {len(rows)} checks passed; report: {path}")
    return 0 if ok else 1
