"""`abm sensitivity EXPERIMENT [--metric M ...] [--week W] [--root DIR] [--out DIR]`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from abm.analysis.markdown import markdown
from abm.analysis.sensitivity import indices, plot
from abm.cli.args import Parser, check_writable, printed_store_warnings, root_option
from abm.simulation import stamp
from abm.store.files import atomic_write, write_text
from abm.store.layout import results_root
from abm.store.reader import read_spec

DESCRIPTION = """Morris or Sobol indices of a sensitivity experiment (one with a `sensitivity:` block), from
each design point's mean over seeds at week W (default: the last week). Writes one CSV per metric, a
report.md and a bar plot (PNG, SVG), stamped with the version, commit and date, into
<root>/EXPERIMENT/sensitivity/ (a week other than the last: its own subfolder week<W>/)."""


def sensitivity_command(args: Sequence[str]) -> int:
    ap = Parser("sensitivity", DESCRIPTION, "example:\n  abm experiment sensitivity_morris && "
                "abm sensitivity sensitivity_morris")
    ap.add_argument("experiment", help="a sensitivity experiment in the store")
    ap.add_argument("--metric", action="append", default=None, metavar="M",
                    help="a metric to analyse (repeatable; default: the experiment file's metrics)")
    ap.add_argument("--week", type=int, default=None, metavar="W", help="the week analysed (default: the last)")
    root_option(ap)
    ap.add_argument("--out", default=None, metavar="DIR", help="where the report goes")
    ns = ap.parse_args(list(args))
    check_writable(ns.out or results_root(ns.root) / ns.experiment, "--out" if ns.out else "--root")
    with printed_store_warnings():
        spec = read_spec(ns.experiment, ns.root)
        metrics = ns.metric or spec.get("metrics") or ["maturity_total"]
        tables = {m: indices(ns.experiment, m, ns.week, ns.root) for m in metrics}
    week, last = tables[metrics[0]].attrs["week"], tables[metrics[0]].attrs["last_week"]
    base = results_root(ns.root) / ns.experiment / "sensitivity"
    out = Path(ns.out) if ns.out else (base if week == last else base / f"week{week}")
    out.mkdir(parents=True, exist_ok=True)
    method = (spec.get("sensitivity") or {}).get("method", "morris")
    md = [f"# {method.capitalize()} sensitivity: {ns.experiment}\n", f"_{stamp()}_\n",
          str(spec.get("description") or "") + "\n", f"Week {week}; each design point's mean over seeds.\n"]
    for m, t in tables.items():
        print(f"\n{m}:\n{t.to_string(index=False, float_format=lambda v: f'{v:.4g}')}")
        atomic_write(out / f"{method}_{m}.csv", lambda p, d=t: d.to_csv(p, index=False))
        md += [f"\n## {m}\n", markdown(t.round(4))]
    figs = plot(tables, method, out)
    md.append(f"\n![{method} indices]({figs[0].name})\n")
    write_text(out / "report.md", "\n".join(md))
    print(f"\nreport: {out / 'report.md'}")
    return 0
