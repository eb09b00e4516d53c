"""Patients as adopters of patient-facing services: an aggregate uptake per unit catchment (Bass 1969),
offered by the unit's staff who use the service; a shock's remote boost speeds uptake of remote services
(Ekman et al. 2021)."""

from __future__ import annotations

import numpy as np


def uptake(
    current: np.ndarray, offered: np.ndarray, active: np.ndarray, patient_facing: np.ndarray,
    remote: np.ndarray, p_patient: float, q_patient: float, boost: float,
) -> np.ndarray:
    """(U, S) next week's uptake: dU = (p + q U)(1 - U) x staff offering it x (1 + boost for remote services);
    0 where the unit does not run the service; 1 for services that do not need patients."""
    rate = (p_patient + q_patient * current) * (1.0 - current) * offered * (1.0 + boost * remote[None, :])
    out = np.clip(current + rate, 0.0, 1.0)
    out = np.where(active, out, 0.0)
    return np.where(patient_facing[None, :], out, 1.0)


def remote_share(
    adoption: np.ndarray, uptake: np.ndarray, substitution: np.ndarray, baseline: float, cap: float
) -> np.ndarray:
    """(U,) remote share of contacts: baseline plus each remote service's substitution x staff use x uptake."""
    return np.minimum(baseline + (adoption * uptake) @ substitution, cap)
