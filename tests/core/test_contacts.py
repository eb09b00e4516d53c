"""Learning beliefs from better-performing contacts (abm/core/mechanisms/contacts.py, Fang, Lee & Schilling
2010): the compiled rule equals its numpy reference draw for draw, and the rule does what it says."""

from __future__ import annotations

import numpy as np
import pytest

from abm.core.mechanisms.contacts import at_rest, learn_from_contacts, learn_from_contacts_reference
from abm.core.network import (
    Network,
    full_mixing_share,
    networked_organisation,
    organisation_network,
    watts_strogatz,
)


def random_case(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(-1, 2, (n, m)).astype(np.int8), rng.integers(-6, 7, n).astype(np.int64)


def networks(n: int) -> dict[str, Network]:
    rng = np.random.default_rng(n)
    unit = np.sort(rng.integers(0, max(n // 25, 1), n)).astype(np.int32)
    isolates = Network.from_edges(n, np.arange(0, n - 1, 3), np.arange(1, n, 3))  # many without contacts
    return {
        "organisation": organisation_network(unit, rng.random(n) < 0.05, 8.0, n // 2, 5.0, rng),
        "ring": watts_strogatz(n, 4, 0.1, rng),
        "complete": Network.complete_graph(n),
        "isolates": isolates,
    }


def star(n_leaves: int) -> Network:
    """Person 0 in contact with persons 1..n_leaves, who have no other contacts."""
    return Network.from_edges(n_leaves + 1, np.zeros(n_leaves, np.int64), np.arange(1, n_leaves + 1))


@pytest.mark.parametrize("graph", ["organisation", "ring", "complete", "isolates"])
@pytest.mark.parametrize("k", [0, 1, 3])
@pytest.mark.parametrize("p_learn", [0.1, 0.6, 1.0])
def test_compiled_rule_equals_the_numpy_reference_draw_for_draw(graph: str, k: int, p_learn: float) -> None:
    beliefs, performance = random_case(400, 17, seed=k + int(10 * p_learn))
    net = networks(400)[graph]
    got = learn_from_contacts(beliefs, performance, net, p_learn, k, np.random.default_rng(7))
    want = learn_from_contacts_reference(beliefs, performance, net, p_learn, k, np.random.default_rng(7))
    assert got.dtype == np.int8 and got.shape == beliefs.shape
    assert np.array_equal(got, want)
    assert (got != beliefs).any()


@pytest.mark.parametrize("k", [0, 1, 4])
def test_the_implicit_complete_graph_equals_its_explicit_ties(k: int) -> None:
    beliefs, performance = random_case(60, 9, seed=3)
    i, j = np.triu_indices(60, 1)
    explicit = Network.from_edges(60, i, j)
    got = learn_from_contacts(beliefs, performance, Network.complete_graph(60), 0.5, k, np.random.default_rng(2))
    want = learn_from_contacts(beliefs, performance, explicit, 0.5, k, np.random.default_rng(2))
    assert np.array_equal(got, want)


def test_p_learn_zero_returns_the_beliefs_unchanged_and_draws_nothing() -> None:
    beliefs, performance = random_case(300, 10, seed=1)
    rng = np.random.default_rng(4)
    got = learn_from_contacts(beliefs, performance, networks(300)["organisation"], 0.0, 1, rng)
    assert np.array_equal(got, beliefs) and got is not beliefs
    assert rng.random() == np.random.default_rng(4).random()


def test_the_input_is_never_modified() -> None:
    beliefs, performance = random_case(300, 10, seed=2)
    before = beliefs.copy()
    learn_from_contacts(beliefs, performance, networks(300)["organisation"], 1.0, 0, np.random.default_rng(1))
    assert np.array_equal(beliefs, before)


def test_only_strictly_better_contacts_teach() -> None:
    """Person 0 sees a better, an equal and a worse contact, each believing something else; with every
    contact and p_learn = 1 they take exactly the better one's non-zero beliefs."""
    beliefs = np.array([[-1, -1, -1, 0], [1, 0, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]], np.int8)
    performance = np.array([0, 5, 0, -5])
    got = learn_from_contacts(beliefs, performance, star(3), 1.0, 0, np.random.default_rng(0))
    assert got[0].tolist() == [1, -1, 1, 1]  # the better contact's 0 on dimension 1 is not copied
    assert np.array_equal(got[1:3], beliefs[1:3])  # 1 and 2 see only person 0, who is not better
    assert got[3].tolist() == [-1, -1, -1, 1]  # 3 sees the better person 0, whose 0 is not copied


def test_the_majority_of_better_contacts_wins_and_a_tie_changes_nothing() -> None:
    beliefs = np.array([[0, 0, -1], [1, 1, 1], [1, -1, 1], [-1, 0, 1]], np.int8)
    performance = np.array([-9, 1, 2, 3])
    got = learn_from_contacts(beliefs, performance, star(3), 1.0, 0, np.random.default_rng(0))
    # dimension 0: +1 +1 -1 -> +1; dimension 1: +1 -1 0 -> tie, stays 0; dimension 2: all +1
    assert got[0].tolist() == [1, 0, 1]


def test_each_movable_cell_moves_with_probability_p_learn() -> None:
    """A cell that can change changes with probability p; with 12,000 people x 20 dimensions and p = 0.3
    the share changed has SE under 0.0015, so 4 SE is 0.006."""
    beliefs, performance = random_case(12_000, 20, seed=5)
    net = networks(12_000)["organisation"]
    once = learn_from_contacts(beliefs, performance, net, 1.0, 1, np.random.default_rng(9))
    movable = once != beliefs  # the same contact draws (first draws of the stream) with p = 1
    got = learn_from_contacts(beliefs, performance, net, 0.3, 1, np.random.default_rng(9))
    assert ((got != beliefs) & ~movable).sum() == 0
    assert np.array_equal(got[got != beliefs], once[got != beliefs])
    assert abs((got[movable] != beliefs[movable]).mean() - 0.3) < 0.006


def test_k_contacts_are_drawn_uniformly_with_replacement() -> None:
    """A centre with 6 better contacts, contact j believing +1 only on dimension j: with k = 1 the
    dimension taken shows the contact drawn; over 6,000 draws each has share 1/6 +/- 0.02 (4 SE)."""
    leaves = 6
    beliefs = np.zeros((leaves + 1, leaves), np.int8)
    beliefs[np.arange(1, leaves + 1), np.arange(leaves)] = 1
    performance = np.array([-1] + [1] * leaves)
    rng = np.random.default_rng(11)
    counts = np.zeros(leaves)
    taken_k3 = []
    for _ in range(6000):
        counts += learn_from_contacts(beliefs, performance, star(leaves), 1.0, 1, rng)[0]
        taken_k3.append(int(learn_from_contacts(beliefs, performance, star(leaves), 1.0, 3, rng)[0].sum()))
    assert counts.sum() == 6000  # exactly one contact each time
    assert np.abs(counts / 6000 - 1 / leaves).max() < 0.02
    # k = 3 draws with replacement: every distinct contact drawn passes on its dimension (0s add nothing
    # to the sums), so 1 to 3 are taken, 1 when the same contact is drawn three times (chance 1/36, SE 0.0021)
    taken = np.bincount(taken_k3, minlength=4) / 6000
    assert taken[0] == 0 and abs(taken[1] - 1 / 36) < 0.0085 and abs(taken[3] - 120 / 216) < 0.026


def test_people_without_contacts_or_better_contacts_keep_their_beliefs() -> None:
    beliefs, performance = random_case(50, 8, seed=6)
    empty = Network.from_edges(50, np.zeros(0, np.int64), np.zeros(0, np.int64))
    for k in (0, 1, 2):
        assert np.array_equal(learn_from_contacts(beliefs, performance, empty, 1.0, k, np.random.default_rng(0)),
                              beliefs)
    best = np.full(50, -1)
    best[0] = 10  # the best person learns from nobody on the complete graph
    got = learn_from_contacts(beliefs, best, Network.complete_graph(50), 1.0, 0, np.random.default_rng(0))
    assert np.array_equal(got[0], beliefs[0])


def test_at_rest_only_when_no_contact_can_ever_teach() -> None:
    """Identical beliefs are at rest; so is a wrong +1 against a 0 (the 0-holder can outscore but has no
    belief to give, and the +1-holder never outscores), while a right belief against a 0 is not: the
    0-holder can still learn it. Without ties nothing moves; on the complete graph it does."""
    reality = np.array([1, -1], np.int8)
    pair = Network.from_edges(2, np.array([0]), np.array([1]))
    assert at_rest(np.array([[1, 1], [1, 1]], np.int8), pair, reality)
    assert at_rest(np.array([[1, 1], [1, 0]], np.int8), pair, reality)
    assert not at_rest(np.array([[1, -1], [0, -1]], np.int8), pair, reality)
    assert at_rest(np.array([[1, -1], [-1, 1]], np.int8), Network.from_edges(2, np.zeros(0, np.int64),
                                                                          np.zeros(0, np.int64)), reality)
    assert not at_rest(np.array([[1, -1], [-1, 1]], np.int8), Network.complete_graph(2), reality)


# ---- the networked practice's ties (abm/core/network.py networked_organisation) ---------------------------

def cross_share_of(net: Network, unit: np.ndarray) -> float:
    coo = net.adjacency.tocoo()
    return float((unit[coo.row] != unit[coo.col]).mean())


@pytest.mark.parametrize("cross_share", [0.0, 0.05, 0.2, 0.5, 0.95])
def test_networked_ties_cross_units_in_the_given_share_at_the_same_mean_degree(cross_share: float) -> None:
    """600 staff in 20 units of 30, mean degree 10.5: the realised cross share within 0.02 of the asked
    one (about 3,150 ties, so its SE is under 0.01) and the mean degree within 3%."""
    unit = np.repeat(np.arange(20), 30).astype(np.int32)
    net = networked_organisation(unit, np.zeros(600, bool), 10.5, cross_share, 1.0, np.random.default_rng(3))
    assert abs(cross_share_of(net, unit) - cross_share) < 0.02
    assert abs(net.degree.mean() - 10.5) < 0.03 * 10.5
    adj = net.adjacency
    assert (adj != adj.T).nnz == 0 and adj.diagonal().sum() == 0


def test_networked_full_mixing_is_a_network_random_across_the_organisation() -> None:
    """At full_mixing_share (1 - 1/U for U equal units) a within-unit pair is as likely tied as a
    cross-unit pair (densities within 10%); with unequal units the share is 1 - sum of squared shares."""
    unit = np.repeat(np.arange(10), 60).astype(np.int32)
    full = full_mixing_share(unit)
    assert full == pytest.approx(0.9)
    net = networked_organisation(unit, np.zeros(600, bool), 12.0, full, 1.0, np.random.default_rng(4))
    coo = net.adjacency.tocoo()
    cross = unit[coo.row] != unit[coo.col]
    within_pairs, cross_pairs = 10 * 60 * 59, 600 * 540
    assert (~cross).sum() / within_pairs == pytest.approx(cross.sum() / cross_pairs, rel=0.1)
    assert full_mixing_share(np.array([0, 0, 0, 1])) == pytest.approx(1 - 0.75**2 - 0.25**2)


def test_networked_with_two_units_still_gets_every_cross_tie() -> None:
    unit = np.repeat(np.arange(2), 300).astype(np.int32)
    net = networked_organisation(unit, np.zeros(600, bool), 10.0, 0.5, 1.0, np.random.default_rng(5))
    assert abs(cross_share_of(net, unit) - 0.5) < 0.02


def test_champions_span_units_under_networked_too() -> None:
    unit = np.repeat(np.arange(20), 30).astype(np.int32)
    champion = np.zeros(600, bool)
    champion[::15] = True
    net = networked_organisation(unit, champion, 10.5, 0.2, 6.0, np.random.default_rng(6))
    coo = net.adjacency.tocoo()
    cross_degree = np.bincount(coo.row[unit[coo.row] != unit[coo.col]], minlength=600)
    assert cross_degree[champion].mean() > 3 * cross_degree[~champion].mean()


def test_other_practices_build_the_organisation_network_as_before() -> None:
    """Only `networked` takes the new branch: any other practice gets organisation_network with
    ties_within and mean_cross_ties x n / 2 cross ties, drawn from the same stream."""
    from abm.core import build
    from abm.core.params import ModelParams

    params = ModelParams()
    assert params.practice.name != "networked"
    org, rng = params.organisation, np.random.default_rng(0)
    units = build.build_units(params, rng)
    staff = build.build_staff(params, units, rng)
    got = build.build_network(params, staff, units, np.random.default_rng(8))
    want = organisation_network(staff.unit, staff.champion, org.ties_within,
                                int(round(org.mean_cross_ties * staff.n / 2)), org.champion_tie_boost,
                                np.random.default_rng(8))
    assert (got.adjacency != want.adjacency).nnz == 0
