"""The one place that imports Hydra and OmegaConf: composing configs, overrides, schemas, launchers."""
