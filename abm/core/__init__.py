"""The simulation: parameters, state, random streams, network, agents, the weekly model, its metrics
and mechanisms. Imports numpy, numba, pandas and mesa only: no Hydra, no files, no argparse."""
