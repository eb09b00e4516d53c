"""Where a week's time goes at one size: pyinstrument over a run (after the build).

    uv run python -m benchmarks.profile_step organisation=region          # text tree to stdout
    uv run python -m benchmarks.profile_step --weeks 52 --html prof.html organisation=system
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from pyinstrument import Profiler

    from abm.api import compose
    from abm.core.model import RegionModel

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--html", type=Path, default=None)
    parser.add_argument("--build", action="store_true", help="profile the model build instead of the run")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    params = compose([*args.overrides, f"weeks={args.weeks}"])
    profiler = Profiler(interval=0.0005)
    if args.build:
        profiler.start()
        RegionModel(params)
    else:
        RegionModel(compose([*args.overrides, "weeks=2"])).run()  # load the compiled kernels first
        model = RegionModel(params)
        profiler.start()
        model.run()
    profiler.stop()
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
