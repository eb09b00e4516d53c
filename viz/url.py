"""The page's address holds what a person did: the page (the path), the language, "show technical names", and
the applied settings of each run on the page, so a reload restores them and a copied link opens the same view.

    /?lang=sv&run=organisation%3Ddefault&run=practice%3Dstructural&run=environment%3Dstable&run=seed%3D3
        &run=practice.budget%3D0.2
    /compare?lang=en&a=...&a=...&b=...

A run's settings are written as the Hydra overrides that reproduce them (`Settings.overrides()`, what
`abm run` takes), one parameter each, and read back through the same validation as the levers
(`settings_from_overrides`), so an address cannot put into the model what the controls could not. A setting
an address has that the app cannot use is refused in one line on the page, and the rest of the address still
applies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from urllib.parse import parse_qs, urlencode

import solara

from abm.core.params import PRACTICES, ModelParams
from abm.errors import UserError
from viz import i18n, state
from viz.catalogue import CATALOGUE_KEY, parse_catalogue
from viz.levers import BY_KEY, ENVIRONMENTS, ORGANISATIONS, PRESETS, Settings, Value, preset
from viz.widgets import refusal_html

RUN_KEYS = {"": (("run", state.live),), "compare": (("a", state.compare_a), ("b", state.compare_b))}
MAX_QUERY = 20_000  # characters: a longer address is not one the app wrote (a region's own services: ~3 kB a run)

refusal = solara.reactive("")  # the model's messages on what the address had that could not be used


def settings_from_overrides(overrides: Sequence[str]) -> Settings:
    """Settings from `key=value` overrides as `Settings.overrides()` writes them; UserError (one line naming the
    setting, the value and what is allowed) for anything the app's controls could not have set."""
    from abm.errors import ParamError

    fields: dict[str, object] = {}
    levers: dict[str, Value] = {}
    by_preset = {name: org for org, name in PRESETS.items()}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise UserError(f"address setting {item!r} is not key=value")
        if key == "organisation" or key == "preset":
            org = by_preset.get(value) if key == "preset" else value
            if org not in ORGANISATIONS:
                raise ParamError(key, value, "one of " + ", ".join(ORGANISATIONS))
            fields["organisation"] = org
        elif key == "practice":
            if value not in PRACTICES:
                raise ParamError(key, value, "one of " + ", ".join(PRACTICES))
            fields["practice"] = value
        elif key == "environment":
            if value not in ENVIRONMENTS:
                raise ParamError(key, value, "one of " + ", ".join(ENVIRONMENTS))
            fields["environment"] = value
        elif key == "seed":
            if not value.isdigit() or len(value) > 9:
                raise ParamError(key, value, "a whole number from 0 to 999999999")
            fields["seed"] = int(value)
        elif key in BY_KEY:
            levers[key] = BY_KEY[key].validate(value)
        elif key == CATALOGUE_KEY:  # a region's own services (viz/region.py): checked by ServiceSpec itself
            try:
                parse_catalogue(value)
            except (UserError, TypeError, ValueError) as err:
                raise ParamError(key, value[:60] + "...", f"a list of services ({err})") from None
            levers[key] = value
        else:
            levers[key] = typed_value(key, value)
    settings = Settings(**fields)  # type: ignore[arg-type]
    for key, value in sorted(levers.items()):
        settings = settings.with_lever(key, value)
    if settings.params() is None:
        raise UserError("the address's settings do not go together: "
                        + " ".join(f"{k}={v}" for k, v in settings.levers))
    return settings.relevant()


def typed_value(key: str, text: str) -> Value:
    """A value for a parameter that is not one of the levers (a region's own sizes), typed by its field and
    checked by its dataclass; UserError for a key the model does not have."""
    from abm.errors import ParamError

    group, _, name = key.partition(".")
    base = preset(*Settings().presets)
    params = getattr(base, group, None) if base is not None else None
    if params is None or not dataclasses.is_dataclass(params) or isinstance(params, ModelParams):
        raise ParamError(key, text, "a setting the app's controls have")
    field = next((f for f in dataclasses.fields(params) if f.name == name), None)
    if field is None or not ("range" in field.metadata or "choices" in field.metadata):
        raise ParamError(key, text, "a setting the app's controls have")
    try:
        value: Value = (text if "choices" in field.metadata
                        else int(text) if field.type in ("int", int) else float(text))
    except ValueError:
        raise ParamError(key, text, "a number") from None
    type(params)(**{name: value})  # the dataclass's own check (the message `abm run` prints)
    return value


def query(page: str) -> str:
    """The address's query for `page` ("" for Live, "compare", ...): language, technical names and the applied
    settings of the page's runs."""
    items = [("lang", i18n.language.value)]
    if i18n.technical.value:
        items.append(("tech", "1"))
    items += [(name, o) for name, run in RUN_KEYS.get(page, ()) for o in run.applied.value.overrides()]
    return urlencode(items)


def apply_query(page: str, search: str) -> None:
    """Restore what an address holds; a setting it cannot use is refused in one line (`refusal`)."""
    if len(search) > MAX_QUERY:
        refusal.set(f"address longer than {MAX_QUERY} characters")
        return
    lists = parse_qs(search, keep_blank_values=True)
    values = {k: v[-1] for k, v in lists.items()}
    if "lang" in values:
        i18n.set_language(values["lang"])
    i18n.technical.set(values.get("tech") == "1")
    problems = []
    for name, run in RUN_KEYS.get(page, ()):
        if name not in values:
            continue
        try:
            settings = settings_from_overrides(lists[name])
        except UserError as err:
            problems.append(str(err))
            continue
        if settings != run.applied.peek():
            run.draft.set(settings)
            state.reset(run, state.compare_tick if page == "compare" else state.tick)
    if page == "compare":  # B shares A's region, environment and seed
        from viz.compare import sync_shared

        sync_shared()
    refusal.set("; ".join(problems))


@solara.component
def AddressBar(page: str) -> None:
    """Keeps the address and the page in step: reads the address when it changes (a load, a pasted link,
    Back), and writes it after a change of language, technical names or applied settings."""
    router = solara.use_router()
    search = router.search or ""
    wanted = query(page)
    written = solara.use_ref("")
    started = solara.use_ref(False)

    def read() -> None:
        if search and search != written.current:
            apply_query(page, search)

    def write() -> None:
        if not started.current:  # the first render: the browser has not told the address yet
            started.current = True
            return
        if wanted != search:
            written.current = wanted
            router.push(f"/{page}?{wanted}")

    solara.use_effect(read, [search])
    solara.use_effect(write, [wanted])
    if refusal.value:
        solara.HTML("div", unsafe_innerHTML=refusal_html(i18n.t("url_refused"), refusal.value),
                    classes=["abm-url-refused", "error--text"], style="font-size: 13px")
