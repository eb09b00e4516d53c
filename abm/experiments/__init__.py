"""From an experiment file to finished runs in the store: spec, sensitivity designs, tasks, launchers."""
