"""Know-how learning from colleagues, training, use and forgetting; the tie network."""

from __future__ import annotations

import numpy as np

from abm.core.mechanisms import knowhow
from abm.core.network import Network, organisation_network, watts_strogatz


def brute_peer_gap(k: np.ndarray, adj: np.ndarray) -> np.ndarray:
    """Per person and dimension: mean over contacts of the positive know-how gap to them."""
    out = np.zeros(k.shape)
    for i in range(k.shape[0]):
        nb = np.flatnonzero(adj[i])
        if nb.size:
            out[i] = np.maximum(k[nb] - k[i], 0).sum(axis=0) / nb.size
    return out


def test_peer_gap_is_mean_positive_gap_to_contacts_in_each_dimension():
    rng = np.random.default_rng(1)
    k = rng.random((40, 4))
    src, dst = rng.integers(0, 40, 120), rng.integers(0, 40, 120)
    net = Network.from_edges(40, src, dst)
    got = knowhow.peer_gap(k, net)
    assert got.shape == (40, 4)
    assert np.allclose(got, brute_peer_gap(k, net.adjacency.toarray()))


def test_peer_gap_on_the_implicit_complete_graph_matches_explicit_edges():
    rng = np.random.default_rng(2)
    k = rng.random((30, 4))
    i, j = np.triu_indices(30, 1)
    explicit = Network.from_edges(30, i, j)
    assert np.allclose(knowhow.peer_gap(k, Network.complete_graph(30)), knowhow.peer_gap(k, explicit))


def test_the_most_skilled_person_learns_nothing_from_colleagues_in_that_dimension_only():
    k = np.array([[0.2, 0.9], [0.9, 0.1], [0.5, 0.5]])
    net = Network.from_edges(3, np.array([0, 1, 0]), np.array([1, 2, 2]))
    gap = knowhow.peer_gap(k, net)
    assert gap[1, 0] == 0 and gap[0, 0] > gap[2, 0] > 0  # dimension 0: person 1 is the most skilled
    assert gap[0, 1] == 0 and gap[1, 1] > gap[2, 1] > 0  # dimension 1: person 0 is


def test_update_knowhow_trains_the_focus_uses_forgets_and_stays_in_unit_interval():
    k = np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.99, 0.99]])
    focus = np.array([[True, False], [False, False], [False, False], [True, True]])
    n_used = np.array([[0, 0], [2, 0], [0, 0], [8, 8]], dtype=np.float64)
    out = knowhow.update_knowhow(
        k, peer=np.zeros((4, 2)), trained=np.array([True, False, False, True]), focus=focus, n_used=n_used,
        rate_training=0.2, training_general=0.3, rate_use=0.5, rate_forget=0.1, floor=0.3,
    )
    assert out[0, 0] == 0.5 + 0.2 * 0.5  # training closes a share of the gap in the unit's focus ...
    assert np.isclose(out[0, 1], 0.5 + 0.3 * 0.2 * 0.5)  # ... and training_general of that elsewhere
    assert out[1, 0] == 0.5 + 0.5 * 2 * 0.5  # use: per service used in the dimension
    assert np.isclose(out[1, 1], 0.5 - 0.1 * (0.5 - 0.3))  # unused and untrained: forgets down to the floor
    assert np.isclose(out[2], 0.5 - 0.1 * 0.2).all()
    assert out.min() >= 0 and out.max() <= 1


def test_forgetting_stops_at_the_newcomer_level():
    k = np.array([[0.2, 0.3]])
    out = knowhow.update_knowhow(k, np.zeros((1, 2)), np.array([False]), np.zeros((1, 2), bool), np.zeros((1, 2)),
                                 0.2, 0.3, 0.5, 0.5, 0.3)
    assert out.tolist() == [[0.2, 0.3]]


def test_learning_time_speeds_peer_learning():
    k = np.array([[0.1], [0.9]])
    att = np.full(2, 0.5)
    gap = knowhow.peer_gap(k, Network.from_edges(2, np.array([0]), np.array([1])))
    slow = knowhow.peer_rate(np.zeros(2), att, 0.1, 0.3)[:, None] * gap
    fast = knowhow.peer_rate(np.full(2, 0.5), att, 0.1, 0.3)[:, None] * gap
    assert fast[0, 0] > slow[0, 0] > 0 and fast[1, 0] == slow[1, 0] == 0


def test_trainees_follow_exploration_share():
    rng = np.random.default_rng(3)
    explore = np.concatenate([np.zeros(10000), np.full(10000, 0.5)])
    t = knowhow.choose_trainees(explore, 0.2, rng)
    assert not t[:10000].any()
    assert abs(t[10000:].mean() - 0.1) < 0.01


def test_organisation_network_is_dense_within_and_sparse_across_units_with_champions_spanning():
    rng = np.random.default_rng(4)
    unit = np.repeat(np.arange(20), 30)
    champion = np.zeros(600, bool)
    champion[::15] = True
    net = organisation_network(unit, champion, 10.0, 300, 6.0, rng)
    adj = net.adjacency
    assert (adj != adj.T).nnz == 0 and adj.diagonal().sum() == 0
    coo = adj.tocoo()
    cross = unit[coo.row] != unit[coo.col]
    within_degree = np.bincount(coo.row[~cross], minlength=600).mean()
    assert 8 < within_degree < 12
    assert cross.sum() / 2 <= 300 and cross.sum() / 2 > 250
    cross_deg = np.bincount(coo.row[cross], minlength=600)
    assert cross_deg[champion].mean() > 3 * cross_deg[~champion].mean()


def test_watts_strogatz_ring_without_rewiring_has_degree_k():
    net = watts_strogatz(100, 4, 0.0, np.random.default_rng(5))
    assert (net.degree == 4).all()
    rewired = watts_strogatz(1000, 4, 1.0, np.random.default_rng(5))
    coo = rewired.adjacency.tocoo()
    far = np.minimum(np.abs(coo.row - coo.col), 1000 - np.abs(coo.row - coo.col)) > 2
    assert far.mean() > 0.4
