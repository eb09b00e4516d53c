"""The compiled (numba) kernels equal the array rules they implement, draw for draw.

Each reference below is the mechanism written with whole-array numpy operations, consuming the same
random numbers in the same (row-major) order; the kernels must give identical arrays.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from abm.core.mechanisms import adoption, knowhow, march
from abm.core.network import Network, organisation_network, watts_strogatz
from abm.core.params import AdoptionParams


@pytest.mark.parametrize("shape", [(1001, 30), (7, 3), (5, 8), (1, 1), (40, 1)])
def test_act_flips_bit_k_of_the_drawn_bytes_for_zero_beliefs(shape: tuple[int, int]) -> None:
    beliefs = np.random.default_rng(3).integers(-1, 2, shape).astype(np.int8)
    got = march.act(beliefs, np.random.default_rng(9))
    raw = np.random.default_rng(9).bytes((beliefs.size + 7) // 8)
    bits = np.unpackbits(np.frombuffer(raw, np.uint8), count=beliefs.size).reshape(shape).astype(np.int8)
    assert np.array_equal(got, np.where(beliefs == 0, 2 * bits - 1, beliefs))


@pytest.mark.parametrize(("shape", "p_differ"), [((1001, 30), 0.5), ((1001, 30), 0.03), ((13, 5), 0.4)])
def test_socialise_draws_only_for_beliefs_that_can_move(shape: tuple[int, int], p_differ: float) -> None:
    rng = np.random.default_rng(11)
    beliefs = rng.integers(-1, 2, shape).astype(np.int8)
    code = beliefs.copy()
    differ = rng.random(shape) < p_differ
    code[differ] = rng.integers(-1, 2, int(differ.sum()))
    p = rng.random(shape[0])
    got = march.socialise(beliefs, code, p, np.random.default_rng(5))
    can_move = (code != 0) & (beliefs != code)
    draws = np.full(shape, np.inf)
    draws[can_move] = np.random.default_rng(5).random(int(can_move.sum()))  # row-major, as the kernel
    move = draws < p[:, None]
    assert np.array_equal(got, np.where(move, beliefs + code, beliefs).astype(np.int8))


@pytest.mark.parametrize("shape", [(8000, 30), (7, 3), (1, 1), (0, 30), (3, 300)])
def test_scores_of_int8_rows_equal_the_integer_product(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(shape[0])
    vectors = rng.integers(-1, 2, shape).astype(np.int8)
    reality = rng.choice(np.array([-1, 1], np.int8), shape[1])
    got = march.score(vectors, reality)
    assert got.dtype == np.int64 and np.array_equal(got, vectors.astype(np.int64) @ reality.astype(np.int64))
    assert np.array_equal(got, march.score(vectors.astype(np.int64), reality))  # the float32 product agrees


def test_superior_sums_are_the_membership_product() -> None:
    rng = np.random.default_rng(4)
    n, m, n_units = 3000, 30, 37
    unit = rng.permutation(np.arange(n) % n_units).astype(np.int32)  # staff not stored unit by unit
    actions = rng.choice(np.array([-1, 1], np.int8), (n, m))
    superior = rng.random(n) < 0.3
    members = sp.csr_matrix((np.ones(n), (unit, np.arange(n))), shape=(n_units, n))
    want = members @ (actions * superior[:, None]).astype(np.float64)
    assert np.array_equal(march.superior_sums(actions, superior, unit, n_units), want)


@pytest.mark.parametrize("p2", [0.1, 0.5, 0.9])
def test_code_learning_equals_the_array_rule(p2: float) -> None:
    rng = np.random.default_rng(int(p2 * 10))
    n, m, n_units = 3000, 30, 25
    unit = np.sort(rng.integers(0, n_units, n)).astype(np.int32)
    reality = rng.choice(np.array([-1, 1], np.int8), m)
    code = rng.integers(-1, 2, (n_units, m)).astype(np.int8)
    actions = rng.choice(np.array([-1, 1], np.int8), (n, m))
    performance = march.score(actions, reality)
    got = march.learn_code(code, actions, performance, unit, reality, p2, np.random.default_rng(3))
    superior = performance > march.score(code, reality)[unit]
    net = march.superior_sums(actions, superior, unit, n_units)
    majority = np.sign(net).astype(np.int8)
    p_move = 1.0 - (1.0 - p2) ** np.abs(net)
    change = (majority != 0) & (majority != code) & (np.random.default_rng(3).random(code.shape) < p_move)
    assert change.any() and not change.all()
    assert np.array_equal(got, np.where(change, majority, code))


def test_peer_gap_sums_contacts_in_order() -> None:
    rng = np.random.default_rng(8)
    net = watts_strogatz(500, 10, 0.2, rng)
    k = rng.random((500, 4))
    rows = np.repeat(np.arange(500), np.diff(net.adjacency.indptr))  # the row of each tie entry
    gaps = np.maximum(k[net.adjacency.indices] - k[rows], 0.0)
    want = np.stack([np.bincount(rows, weights=gaps[:, d], minlength=500) for d in range(4)], axis=1)
    assert np.array_equal(knowhow.peer_gap(k, net), want / np.maximum(net.degree, 1.0)[:, None])


def adoption_terms(ap: AdoptionParams, n: int, n_units: int, n_services: int, rng: np.random.Generator
                   ) -> adoption.Terms:
    """Intention's terms from random inputs, through adoption.terms."""
    return adoption.terms(ap, rng.random(n_services), rng.random(n_services), rng.integers(0, 4, n_services),
                          rng.random(n), rng.integers(0, 4, n), rng.integers(0, 600, n), rng.random(n_units),
                          rng.random((n_units, n_services)) < 0.3, 0.2, 0.7 + 0.6 * rng.random(n_units))


def reference_step(uses, unit_active, unit, net, ap, t, knowhow_, thresholds, rng):
    """adoption.step written with the array rules of abm.core.mechanisms.adoption."""
    active = unit_active[unit]
    if ap.rule == "threshold":
        new, adopt = adoption.adopt_threshold(uses, active, net, thresholds)
        return new, int(adopt.sum()), 0
    social = adoption.social_share(uses, net)
    intent = adoption.intention(ap, t, knowhow_, social, unit)
    rate = adoption.hazard(ap, intent, social)
    new, adopt, stop = adoption.adopt_hazard(uses, active, rate, intent, ap, rng)
    return new, int(adopt.sum()), int(stop.sum())


def test_adoption_terms_per_person_equal_the_array_formula() -> None:
    rng = np.random.default_rng(22)
    n, ap = 3000, AdoptionParams(w_habit=0.3)
    attitude, role, tenure = rng.random(n), rng.integers(0, 4, n).astype(np.int8), rng.integers(0, 1200, n)
    t = adoption.terms(ap, rng.random(8), rng.random(8), rng.integers(0, 4, 8), attitude, role,
                       tenure.astype(np.int32), rng.random(5), rng.random((5, 8)) < 0.5, 0.2, rng.random(5) + 0.5)
    resist = np.array([ap.resist_physician, ap.resist_nurse, ap.resist_assistant, ap.resist_admin])
    want = (ap.w_attitude * (attitude - 0.5) - resist[role]
            - ap.w_habit * np.minimum(tenure / adoption.HABIT_WEEKS, 1.0))
    assert np.array_equal(t.per_person, want)
    assert (tenure > adoption.HABIT_WEEKS).any()  # the cap on habit is exercised


ADOPTION_CASES = {
    "utaut": AdoptionParams(),
    "certain": AdoptionParams(rate_adopt=5.0, intention_threshold=-2.0, step_probability="linear"),
    "utaut_strong": AdoptionParams(intention_threshold=2.0, discontinue_margin=0.0, p_discontinue=0.3, p_external=0.1),
    "bass_linear": AdoptionParams(rate_adopt=0.0, p_external=0.03, q_social=0.4, step_probability="linear"),
    "bass_dt": AdoptionParams(rate_adopt=0.0, p_external=0.03, q_social=0.4, dt=0.25),
    "threshold": AdoptionParams(rule="threshold"),
}


@pytest.mark.parametrize("case", sorted(ADOPTION_CASES))
@pytest.mark.parametrize(("graph", "n_services"), [("organisation", 5), ("organisation", 9), ("complete", 5),
                                                   ("isolates", 5)])
def test_adoption_step_equals_the_array_rules(case: str, graph: str, n_services: int) -> None:
    """Contacts are counted in packed words (up to 8 services) or service by service (9), or from
    column totals (complete graph); every way gives the array rules' result. Draws above the bound on the
    step probability skip the exponentials (every case but `certain`, whose bound is 1)."""
    rng = np.random.default_rng(21)
    n, n_units = 900, 12
    unit = np.sort(rng.integers(0, n_units, n)).astype(np.int32)
    if graph == "organisation":
        net = organisation_network(unit, rng.random(n) < 0.05, 10.0, 40, 5.0, rng)
    elif graph == "complete":
        net = Network.complete_graph(n)
    else:
        net = Network.from_edges(n, rng.integers(10, n - 10, 2000), rng.integers(10, n - 10, 2000))
    unit_active = rng.random((n_units, n_services)) < 0.6
    uses = (rng.random((n, n_services)) < 0.3) & unit_active[unit]  # nobody uses an inactive service
    ap = ADOPTION_CASES[case]
    if case == "threshold":
        ap = replace(ap, threshold=2.0)
    args = (uses, unit_active, unit, net, ap, adoption_terms(ap, n, n_units, n_services, rng), rng.random((n, 4)),
            rng.integers(1, 4, n).astype(np.float64))
    assert (adoption.packed_uses(uses, net).size > 0) == (graph != "complete" and n_services <= 8)
    got = adoption.step(*args, np.random.default_rng(99))
    want = reference_step(*args, np.random.default_rng(99))
    assert np.array_equal(got[0], want[0])
    assert got[1:] == want[1:]
    assert got[1] > 0 and (case != "utaut_strong" or got[2] > 0)  # the case exercises what it names


def test_adoption_cells_are_the_non_users_and_the_users_below_the_margin() -> None:
    """The cells that draw are found without the contacts where the outcome does not need them (a user whose
    intention without the social term already reaches the margin); with the margin at the median of that
    lower bound, users on both sides of it and users lifted over it by their contacts all occur, and the
    cells equal the whole-array rule's."""
    rng = np.random.default_rng(31)
    n, n_units, n_services = 2000, 20, 6
    unit = np.sort(rng.integers(0, n_units, n)).astype(np.int32)
    net = organisation_network(unit, rng.random(n) < 0.05, 10.0, 40, 5.0, rng)
    unit_active = rng.random((n_units, n_services)) < 0.7
    uses = (rng.random((n, n_services)) < 0.5) & unit_active[unit]
    ap = AdoptionParams(w_social=0.6)
    t, k = adoption_terms(ap, n, n_units, n_services, rng), rng.random((n, 4))
    intent = adoption.intention(ap, t, k, adoption.social_share(uses, net), unit)
    no_social = adoption.intention(replace(ap, w_social=0.0), t, k, adoption.social_share(uses, net), unit)
    low = float(np.median(no_social[uses]))
    lifted = uses & (no_social < low) & (intent >= low)
    assert lifted.sum() > 10 and (uses & (intent < low)).sum() > 10 and (uses & (no_social >= low)).sum() > 10
    adj = net.adjacency
    _, cells, user, _ = adoption._cells(
        False, np.zeros(0, np.uint64), np.zeros(n), uses, unit_active, unit, adj.indptr, adj.indices, net.degree,
        False, np.zeros(n_services, np.int64), ap.w_social, t.per_service, t.dimension, k, t.per_person, t.per_unit,
        ap.w_effort, low)
    can_change = unit_active[unit] & (~uses | (intent < low))
    assert np.array_equal(cells, np.flatnonzero(can_change)) and np.array_equal(user, uses.ravel()[cells])


@pytest.mark.parametrize("staff_order", ["by_unit", "shuffled"])
def test_unit_aggregates_equal_numpy(staff_order: str) -> None:
    from abm.core import aggregate

    rng = np.random.default_rng(6)
    n, n_units = 5000, 40
    unit = np.sort(rng.integers(0, n_units - 1, n)).astype(np.int32)  # the last unit is empty
    if staff_order == "shuffled":
        unit = rng.permutation(unit)
    values, flags = rng.random(n), rng.random((n, 7)) < 0.2
    sums = aggregate.unit_sum(values, unit, n_units)
    want = np.bincount(unit, weights=values, minlength=n_units)
    if staff_order == "by_unit":
        assert np.array_equal(sums, want)  # the same additions in the same order
    else:
        assert np.allclose(sums, want, rtol=1e-12, atol=0)
    for k in (4, 3):  # four columns in registers, any other number in a loop
        table = rng.random((n, k))
        columns = np.stack([aggregate.unit_sum(np.ascontiguousarray(table[:, d]), unit, n_units) for d in range(k)],
                           axis=1)
        assert np.array_equal(aggregate.unit_sum_columns(table, unit, n_units), columns)  # the same bits
    assert aggregate.unit_sum_columns(np.zeros((0, 4)), np.zeros(0, np.int32), 3).shape == (3, 4)
    counts = np.stack([np.bincount(unit, weights=flags[:, j], minlength=n_units) for j in range(7)], axis=1)
    assert np.array_equal(aggregate.unit_counts(flags, unit, n_units), counts)
    assert np.array_equal(aggregate.column_counts(flags), flags.sum(axis=0))
    for rows, k in [(n, 8), (n + 3, 4), (999, 2), (7, 1), (1, 8), (0, 8), (70_001, 8)]:  # ragged sizes, row by row
        many = rng.random((rows, k)) < 0.7
        assert np.array_equal(aggregate.column_counts(many), many.sum(axis=0)), (rows, k)
        in_units = np.sort(rng.integers(0, n_units, rows)).astype(np.int32)
        if staff_order == "shuffled":
            in_units = rng.permutation(in_units)
        want = np.zeros((n_units, k), np.int64)
        np.add.at(want, in_units, many.astype(np.int64))
        assert np.array_equal(aggregate.unit_counts(many, in_units, n_units), want), (rows, k)
    one_unit = np.ones((3000, 8), bool)  # a unit of more than 255 words: the lanes are emptied in time
    assert (aggregate.unit_counts(one_unit, np.zeros(3000, np.int32), 1) == 3000).all()
    vectors = rng.integers(-1, 2, (n, 30)).astype(np.int8)
    reality = rng.choice(np.array([-1, 1], np.int8), 30)
    assert aggregate.total_score(vectors, reality) == int((vectors.astype(np.int64) @ reality).sum())
    assert aggregate.unit_sum(np.zeros(0), np.zeros(0, np.int32), 3).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(("graph", "n_dims"), [("organisation", 4), ("organisation", 3), ("complete", 4)])
def test_knowhow_learn_equals_peer_learning_then_update(graph: str, n_dims: int) -> None:
    """The compiled passes (gap sums, then peer rate, training, use and forgetting) give the whole-array
    functions' bits; four dimensions take the unrolled path, three the general one."""
    rng = np.random.default_rng(12)
    n = 1200
    unit = np.sort(rng.integers(0, 15, n)).astype(np.int32)
    if graph == "complete":
        net = Network.complete_graph(n)
    else:
        net = organisation_network(unit, rng.random(n) < 0.05, 10.0, 60, 5.0, rng)
    k, learning_time, attitude = rng.random((n, n_dims)), rng.random(n) * 0.4, rng.random(n)
    k[:5] = 0.3  # at the floor: nothing to forget
    trained, focus = rng.random(n) < 0.2, rng.random((n, n_dims)) < 0.4
    uses, dimension = rng.random((n, 7)) < 0.15, rng.integers(0, n_dims, 7)
    n_used = knowhow.used_per_dimension(uses, dimension, n_dims)
    members = (dimension[:, None] == np.arange(n_dims)[None, :]).astype(np.float64)
    assert np.array_equal(n_used, uses.astype(np.float64) @ members)
    rates = (0.01, 0.3, 0.1, 0.3, 0.002, 0.003, 0.3)  # rate_peer, peer_base, training, general, use, forget, floor
    peer = knowhow.peer_rate(learning_time, attitude, *rates[:2])[:, None] * knowhow.peer_gap(k, net)
    want = knowhow.update_knowhow(k, peer, trained, focus, n_used, *rates[2:])
    got = knowhow.learn(k, net, learning_time, attitude, trained, focus, n_used, *rates)
    assert np.array_equal(got, want)
    assert (got != k).mean() > 0.9 and (got < k).any() and (got > k).any()  # learning and forgetting both happen


@pytest.mark.parametrize(("n", "n_services", "n_dims"), [(1001, 8, 4), (1000, 8, 3), (1002, 4, 4), (1001, 4, 4),
                                                       (999, 2, 4), (7, 1, 4), (500, 5, 4), (0, 8, 4)])
def test_uses_per_dimension_are_the_membership_product(n: int, n_services: int, n_dims: int) -> None:
    """Row by row (C order) for any number of services and dimensions: the membership product."""
    rng = np.random.default_rng(n + n_services)
    uses, dimension = rng.random((n, n_services)) < 0.4, rng.integers(0, n_dims, n_services)
    members = (dimension[:, None] == np.arange(n_dims)[None, :]).astype(np.float64)
    got = knowhow.used_per_dimension(uses, dimension, n_dims)
    assert got.dtype == np.float64 and np.array_equal(got, uses.astype(np.float64) @ members)


def test_care_and_capacity_follow_the_documented_formula() -> None:
    from abm.core.mechanisms import care
    from abm.core.params import CareParams

    rng = np.random.default_rng(13)
    n, m, n_services = 2000, 30, 8
    cp = CareParams()
    learning_time, trained = rng.random(n) * 0.9, rng.random(n) < 0.3
    performance = rng.integers(-m, m + 1, n)
    uses, advantage = rng.random((n, n_services)) < 0.3, rng.random(n_services) - 0.2
    dimension, k = rng.integers(0, 4, n_services), rng.random((n, 4))
    got_care, got_capacity = care.output_and_capacity(learning_time, trained, performance, m, uses, advantage,
                                                      dimension, k, cp)
    time = np.clip(1.0 - learning_time - trained * cp.training_time, 0.0, 1.0)
    base = (1 - cp.quality_weight) + cp.quality_weight * (0.5 + 0.5 * performance / m)
    digital = 1.0 + cp.digital_gain / n_services * (uses * advantage[None, :] * k[:, dimension]).sum(axis=1)
    assert np.allclose(got_capacity, base * digital, rtol=1e-14, atol=0)
    assert np.allclose(got_care, time * base * digital, rtol=1e-14, atol=0)
    assert (got_care[learning_time > 0.5] < got_capacity[learning_time > 0.5]).all()  # exploring costs care now


# ---- use flags stored service by service (abm/core/use_flags.py) ----------------------------------------------

@pytest.mark.parametrize(("n", "n_services", "order"), [(8000, 28, "by_unit"), (1003, 13, "by_unit"),
                                                        (997, 31, "shuffled"), (7, 3, "by_unit"), (1, 1, "by_unit"),
                                                        (0, 5, "by_unit"), (4000, 0, "by_unit")])
def test_service_major_flags_give_the_row_by_row_answers(n: int, n_services: int, order: str) -> None:
    """The model keeps its use flags in Fortran order; every pass over them (counts per service and per unit,
    uses per dimension, care's digital sums, dropping services a unit no longer has) equals the row-by-row
    pass on the same flags in C order, with services nobody uses, unaligned unit runs and ragged ends."""
    from abm.core import aggregate, use_flags
    from abm.core.mechanisms import care
    from abm.core.params import CareParams

    rng = np.random.default_rng(n + 7 * n_services)
    n_units = 23
    unit = np.sort(rng.integers(0, n_units, n)).astype(np.int32)
    if order == "shuffled":
        unit = rng.permutation(unit)
    rows = rng.random((n, n_services)) < 0.4
    rows[:, ::3] = False  # services nobody uses are skipped
    major = np.asfortranarray(rows)
    assert use_flags.by_service(major) is not None
    if n > 1 and n_services > 1:
        assert use_flags.by_service(rows) is None  # C order: the row-by-row passes
    assert np.array_equal(aggregate.column_counts(major), rows.sum(axis=0))
    want = np.zeros((n_units, n_services), np.int64)
    np.add.at(want, unit, rows.astype(np.int64))
    assert np.array_equal(aggregate.unit_counts(major, unit, n_units), want)
    dimension = rng.integers(0, 4, n_services)
    assert np.array_equal(knowhow.used_per_dimension(major, dimension, 4),
                          knowhow.used_per_dimension(rows, dimension, 4))
    args = (rng.random(n) * 0.9, rng.random(n) < 0.3, rng.integers(-30, 31, n), 30)
    advantage, k = rng.random(n_services) - 0.2, rng.random((n, 4))
    for got, ref in zip(care.output_and_capacity(*args, major, advantage, dimension, k, CareParams()),
                        care.output_and_capacity(*args, rows, advantage, dimension, k, CareParams()), strict=True):
        assert np.array_equal(got, ref)  # the same additions per person: the same bits
    allowed = rng.random((n_units, n_services)) < 0.6
    allowed[:, 1::4] = True  # services every unit allows are skipped
    kept, want_kept = major.copy(order="F"), rows & allowed[unit]
    use_flags.keep_allowed_flags(kept, allowed, unit)
    assert kept.flags.f_contiguous and np.array_equal(kept, want_kept)
    plain = rows.copy()
    use_flags.keep_allowed_flags(plain, allowed, unit)
    assert np.array_equal(plain, want_kept)


def test_service_major_counts_empty_their_lanes_before_they_overflow() -> None:
    from abm.core import aggregate

    every = np.ones((70_001, 3), dtype=bool, order="F")  # one unit of more than 255 x 8 staff
    assert (aggregate.unit_counts(every, np.zeros(70_001, np.int32), 1) == 70_001).all()
    assert (aggregate.column_counts(every) == 70_001).all()


def test_the_model_keeps_its_use_flags_service_by_service() -> None:
    """Adoption, the units' lifecycle and turnover keep StaffState.uses in Fortran order, so the model always
    takes the service-major passes."""
    from abm.api import compose
    from abm.core.model import RegionModel

    model = RegionModel(compose(["weeks=30", "learning.p_turnover=0.05"]))
    for _ in range(30):
        model.step()
        assert model.staff.uses.flags.f_contiguous
    assert model.staff.uses.any()
