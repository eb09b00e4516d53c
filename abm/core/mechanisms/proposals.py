"""Proposals: new e-health services of uncertain value that reach management during a run.

A region does not only choose among a few well-known services: local initiatives and vendors keep proposing
new ones, most of which are piloted and never scaled ("pilotitis": Huang, Blaschke & Lucas 2017; the NASSS
value proposition is uncertain until tried, Greenhalgh et al. 2017). A stage-gate funnel (Cooper 1990) then
decides what a region ends up with: what management senses as promising is piloted within its capacity, the
pilot unit judges it with its code, and only what proves itself is scaled. This is where sensing accuracy,
pilot capacity, the value threshold, judgement and learning from pilots decide outcomes.

Proposal k (0-based) arrives in week 1 + floor((k + u_k) * 52 / proposals_per_year), one in each interval of
52 / proposals_per_year weeks, with u_k uniform; `round(proposals_per_year * weeks / 52)` proposals arrive
in a run (none after its horizon). Each one's draws come from the `proposals` stream in a fixed order per
proposal, so proposal k is the same in a longer run. Its advantage, cost and complexity are uniform within
`proposal_spread` of their means (clipped to [0.05, 1]); its dimension is one of the three service dimensions
(interoperability, person-enabled care, predictive analytics) with equal chance; with chance `proposal_remote`
it delivers remote care (patient-facing, substituting `proposal_substitution` of contacts at full use); its
required signs agree with week-0 reality with chance `proposal_fit` per dimension (abm.core.mechanisms.fit).
"""

from __future__ import annotations

import math

import numpy as np

from abm.core.mechanisms import fit
from abm.core.params import ServicesParams, ServiceSpec

SERVICE_DIMENSIONS = ("interoperability", "person_enabled", "predictive_analytics")
FLOOR = 0.05  # no proposal's advantage, cost or complexity is below this
FIT_DIMS = ServiceSpec().fit_dims  # the same number of fit dimensions as a catalogue service by default


def count(sp: ServicesParams, weeks: int) -> int:
    """How many proposals arrive within a run of `weeks` weeks."""
    return int(round(sp.proposals_per_year * weeks / 52.0)) if sp.proposals_per_year > 0 else 0


def propose(sp: ServicesParams, weeks: int, reality: np.ndarray, rng: np.random.Generator,
            ) -> tuple[tuple[ServiceSpec, ...], np.ndarray]:
    """(the proposals as services, their (K, m) required signs)."""
    k_total = count(sp, weeks)
    interval = 52.0 / sp.proposals_per_year if k_total else 0.0
    specs, required = [], np.zeros((k_total, reality.size), dtype=np.int8)
    for k in range(k_total):
        u, adv, cost, cx, dim, remote = rng.random(6)
        week = min(1 + int(math.floor((k + u) * interval)), weeks)
        is_remote = bool(remote < sp.proposal_remote)

        def spread(mean: float, draw: float) -> float:  # uniform within +- proposal_spread of the mean
            return float(np.clip(mean + sp.proposal_spread * (2.0 * draw - 1.0), FLOOR, 1.0))

        specs.append(ServiceSpec(
            name=f"proposal_{k + 1}", label=f"Proposal {k + 1} (week {week})", arrival_week=week,
            complexity=spread(sp.proposal_complexity, cx), relative_advantage=spread(sp.proposal_advantage, adv),
            cost=spread(sp.proposal_cost, cost),
            dimension=SERVICE_DIMENSIONS[min(int(dim * len(SERVICE_DIMENSIONS)), len(SERVICE_DIMENSIONS) - 1)],
            remote=is_remote, substitution=sp.proposal_substitution if is_remote else 0.0,
            patient_facing=is_remote, technical_failure=sp.proposal_technical_failure, fit_dims=FIT_DIMS,
        ))
        required[k] = fit.requirements(np.array([FIT_DIMS]), reality, sp.proposal_fit, rng)[0]
    return tuple(specs), required
