"""App state in one place: Solara reactive variables (one value per browser session) and the functions
that change them. Components only read this state and lay out (the Solara `scatter` example's style).

Each session owns its models; when the session closes (tab closed, or culled after disconnect) Solara
drops its reactive values and with them the models, so memory is freed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import solara

from abm.errors import UserError
from viz.levers import BY_ID, Lever, Settings, Value
from viz.region import follow
from viz.sim import Simulation

SPEEDS = (1, 2, 5, 10, 20, 60)


@dataclass
class Run:
    """One live slot (Live uses "live"; Compare uses "a" and "b")."""

    applied: solara.Reactive[Settings]
    draft: solara.Reactive[Settings]
    sim: solara.Reactive[Simulation | None]
    errors: solara.Reactive[dict[str, str]]


def _run(settings: Settings) -> Run:
    return Run(solara.reactive(settings), solara.reactive(settings), solara.reactive(None), solara.reactive({}))


live = _run(Settings())
compare_a = _run(Settings(practice="exploit_only"))
compare_b = _run(Settings(practice="adaptive"))
tick = solara.reactive(0)  # bumped after every step: views re-render on it
compare_tick = solara.reactive(0)
playing = solara.reactive(False)
compare_playing = solara.reactive(False)
speed = solara.reactive(10)
colour_by = solara.reactive("knowhow")
message = solara.reactive("")
saves = solara.reactive(0)  # scenario files this session has saved (capped: max_saves)


def unexpected(err: Exception, what: str) -> str:
    """One line for the page about an unexpected failure (its type only: no traceback, no server path);
    the traceback goes to the server's console."""
    import traceback

    print(f"abm viz: {what} failed:", "".join(traceback.format_exception(err)), file=sys.stderr, flush=True)
    return f"{what} failed ({type(err).__name__}); the server's console has the details"


def ensure(run: Run) -> Simulation:
    """The run's simulation, built on first use in this session."""
    sim = run.sim.peek()
    if sim is None:
        sim = Simulation.build(run.applied.peek())
        run.sim.set(sim)
    return sim


def reset(run: Run, ticker: solara.Reactive[int]) -> None:
    """Rebuild from the draft settings; a bad value leaves the running model untouched and says why."""
    try:
        sim = Simulation.build(run.draft.value)
    except UserError as err:
        run.errors.set({**run.errors.value, "reset": str(err)})
        return
    except Exception as err:  # noqa: BLE001  (e.g. a tampered seed: the page says so in one line)
        run.errors.set({**run.errors.value, "reset": unexpected(err, "building the model")})
        return
    run.applied.set(run.draft.value)
    run.sim.set(sim)
    run.errors.set({k: v for k, v in run.errors.value.items() if k != "reset"})
    ticker.set(ticker.value + 1)


def set_lever(run: Run, lever: Lever, text: Value, current: Value | None = None) -> None:
    """Validate a typed, slid or chosen value against the field's metadata and the draft's other settings;
    refuse it with the model's own message (or, for a lever the practice does not use, the reason). A value
    equal to the current one changes nothing (sliders echo their value when they snap)."""
    from viz.i18n import t

    draft = run.draft.value
    if lever.reason(draft):
        run.errors.set({**run.errors.value, lever.id: f"{lever.key}: {t(lever.reason(draft))}"})
        return
    try:
        value = lever.validate(text, draft.params())
    except UserError as err:
        run.errors.set({**run.errors.value, lever.id: str(err)})
        return
    except Exception as err:  # noqa: BLE001  (a value no widget sends: refused, the model untouched)
        run.errors.set({**run.errors.value, lever.id: f"{lever.key}: value refused ({type(err).__name__})"})
        return
    run.errors.set({k: v for k, v in run.errors.value.items() if k != lever.id})
    if current is not None and same(value, current):
        return
    run.draft.set(follow(draft, draft.with_lever(lever.key, value)))


def same(a: Value, b: Value) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))


def set_choice(run: Run, **change: object) -> None:
    """A new preset or seed; the moved levers it does not use are dropped, and earlier refusals of typed
    lever values (which were about the old presets) are cleared."""
    run.draft.set(follow(run.draft.value, run.draft.value.with_(**change).relevant()))
    if set(BY_ID) & set(run.errors.value):
        run.errors.set({k: v for k, v in run.errors.value.items() if k not in BY_ID})


def max_saves() -> int:
    """Scenario saves allowed per session (`abm viz --max-saves`, default 20)."""
    text = os.environ.get("ABM_VIZ_MAX_SAVES", "")
    return int(text) if text.isdigit() else 20


def save(runs: tuple[Run, ...], name: str, description: str, folder: Path | None = None) -> tuple[Path, Path]:
    """Save the applied settings of `runs` as a scenario (viz.scenario), at most `max_saves()` per session:
    each save writes two files into the scenarios folder (never the checkout). Raises UserError with one line
    when refused."""
    from viz.scenario import save_scenario

    limit = max_saves()
    if saves.peek() >= limit:
        raise UserError(f"this session has saved {limit} scenarios, the most this server allows "
                        "(abm viz --max-saves): save more from a new session")
    settings = [r.applied.peek() for r in runs]
    paths = save_scenario(name, settings[0], settings[1] if len(settings) > 1 else None, description, folder)
    saves.set(saves.peek() + 1)
    return paths


def step(runs: tuple[Run, ...], ticker: solara.Reactive[int], weeks: int = 1) -> bool:
    moved = False
    for run in runs:
        moved = ensure(run).step(weeks) or moved
    ticker.set(ticker.value + 1)
    return moved


def session_closed_event() -> threading.Event:
    """Set when this browser session closes, so a playing loop stops and its models can be freed."""
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context().closed_event
    except Exception:  # noqa: BLE001  (outside a server session, e.g. in tests: never closed)
        return threading.Event()


FRAME_TIMEOUT = 5.0  # seconds to wait for the views to show a week before stepping on regardless


def play_loop(runs: tuple[Run, ...], ticker: solara.Reactive[int], flag: solara.Reactive[bool],
              cancel: threading.Event) -> None:
    """Step while playing at the chosen speed, one week per drawn frame (`advance`), so the page never lags
    the model and slow views slow the loop instead of piling up renders."""
    closed = session_closed_event()

    def going() -> bool:
        return flag.peek() and not cancel.is_set() and not closed.is_set()

    ran = False
    while going():
        ran = True
        start = time.perf_counter()
        if not advance(runs, ticker, going):
            if going():
                flag.set(False)
            return
        delay = 1.0 / speed.peek() - (time.perf_counter() - start)
        if delay > 0:
            patiently(cancel.wait, going, delay)
    if ran and not closed.is_set():
        ticker.set(ticker.peek() + 1)  # paused: the views show the week the model is at (a frame may be unsent)


PAUSE_POLL = 0.02  # seconds: how often a wait for the browser checks whether Pause was pressed


def patiently(wait: Callable[[float], bool], going: Callable[[], bool], timeout: float) -> bool:
    """`wait(timeout)` in slices of PAUSE_POLL, giving up as soon as `going()` is False (Pause pressed, the
    session closed), so Pause answers within a slice however far behind the browser is."""
    deadline = time.perf_counter() + timeout
    while going():
        left = deadline - time.perf_counter()
        if left <= 0:
            return False
        if wait(min(PAUSE_POLL, left)):
            return True
    return False


def advance(runs: tuple[Run, ...], ticker: solara.Reactive[int],
            going: Callable[[], bool] = lambda: True) -> bool:
    """Step every run a week and show it. Once the page has given each run a painter (viz.frames), the week
    goes straight into the views' widget, with no re-render of the page (whose cost grows with every control
    on it), once the browser has caught up (at most viz.frames.IN_FLIGHT frames on their way), so a slow
    browser slows the loop. Until then (the first frame, or just after a reset) through a re-render, waiting
    until the views have the week. False at the horizon."""
    sims = [ensure(r) for r in runs]
    painters = [sim.painter for sim in sims]
    if any(painter is None for painter in painters):
        for sim in sims:
            sim.rendered.clear()
        moved = step(runs, ticker)
        if moved:
            for sim in sims:
                patiently(sim.rendered.wait, going, FRAME_TIMEOUT)
        return moved
    moved = False
    for sim in sims:
        moved = sim.step(1) or moved
    if moved:
        for painter in dict.fromkeys(painters):  # Compare's two runs share one painter
            patiently(painter.wait, going, FRAME_TIMEOUT)  # type: ignore[union-attr]  (the browser caught up)
            if going():
                painter.paint()  # type: ignore[union-attr]
    return moved
