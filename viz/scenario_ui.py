"""The "save scenario" box on the Live and Compare pages."""

from __future__ import annotations

import solara

from abm.errors import UserError
from viz import state
from viz.i18n import t
from viz.scenario import default_dir


@solara.component
def SaveScenario(runs: tuple[state.Run, ...]) -> None:
    """Save the applied settings (of A, or of A and B) as a workshop config and an experiment."""
    name, set_name = solara.use_state("")
    description, set_description = solara.use_state("")
    result, set_result = solara.use_state(("", ""))  # (kind, text)

    def save() -> None:
        try:
            paths = state.save(runs, name, description)
        except UserError as err:
            set_result(("error", str(err)))
            return
        except Exception as err:  # noqa: BLE001  (a full disk, a read-only checkout: one line, no traceback)
            set_result(("error", state.unexpected(err, "saving the scenario")))
            return
        set_result(("ok", f"{t('saved')}: " + ", ".join(str(p) for p in paths)
                    + f" — uv run abm run +workshop={name.strip()}"))

    with solara.Card(t("save_scenario"), margin=0, classes=["abm-save"]):
        solara.InputText(t("scenario_name"), value=name, on_value=set_name, continuous_update=True,
                         classes=["abm-scenario-name"], dense=True)
        solara.InputText(t("description"), value=description, on_value=set_description, continuous_update=True,
                         dense=True)
        solara.Text(f"{t('scenarios_folder')}: {default_dir()}", classes=["abm-scenarios-folder"],
                    style="font-size: 12px; word-break: break-all")
        solara.Text(t("scenarios_folder_help"), style="font-size: 11px; color: #666")
        solara.Button(t("save_scenario"), icon_name="mdi-content-save", on_click=save, classes=["abm-save-button"])
        if result[0] == "error":
            solara.Error(result[1], dense=True, classes=["abm-error"])
        elif result[0] == "ok":
            solara.Success(result[1], dense=True, classes=["abm-saved"])
