"""Know-how learning from colleagues, training, use and forgetting; the tie network."""

from __future__ import annotations

import numpy as np

from abm.core.mechanisms import knowhow
from abm.core.network import Network, organisation_network, watts_strogatz


def brute_peer_gap(k: np.ndarray, adj: np.ndarray) -> np.ndarray:
    out = np.zeros(k.size)
    for i in range(k.size):
        nb = np.flatnonzero(adj[i])
        if nb.size:
            out[i] = np.maximum(k[nb] - k[i], 0).sum() / nb.size
    return out


def test_peer_gap_is_mean_positive_gap_to_contacts():
    rng = np.random.default_rng(1)
    k = rng.random(40)
    src, dst = rng.integers(0, 40, 120), rng.integers(0, 40, 120)
    net = Network.from_edges(40, src, dst)
    assert np.allclose(knowhow.peer_gap(k, net), brute_peer_gap(k, net.adjacency.toarray()))


def test_peer_gap_on_the_implicit_complete_graph_matches_explicit_edges():
    rng = np.random.default_rng(2)
    k = rng.random(30)
    i, j = np.triu_indices(30, 1)
    explicit = Network.from_edges(30, i, j)
    assert np.allclose(knowhow.peer_gap(k, Network.complete_graph(30)), knowhow.peer_gap(k, explicit))


def test_the_most_skilled_person_learns_nothing_from_colleagues():
    k = np.array([0.2, 0.9, 0.5])
    net = Network.from_edges(3, np.array([0, 1, 0]), np.array([1, 2, 2]))
    gap = knowhow.peer_gap(k, net)
    assert gap[1] == 0 and gap[0] > gap[2] > 0


def test_update_knowhow_trains_uses_forgets_and_stays_in_unit_interval():
    k = np.array([0.5, 0.5, 0.5, 0.99])
    out = knowhow.update_knowhow(
        k, peer=np.zeros(4), trained=np.array([True, False, False, True]), n_used=np.array([0, 2, 0, 8]),
        rate_training=0.2, rate_use=0.5, rate_forget=0.1,
    )
    assert out[0] == 0.5 + 0.2 * 0.5  # training closes a share of the gap
    assert out[1] == 0.5 + 0.5 * 2 * 0.5  # use: per service used
    assert out[2] == 0.5 - 0.1 * 0.5  # idle: forgets
    assert out.min() >= 0 and out.max() <= 1


def test_exploration_time_speeds_peer_learning():
    k = np.array([0.1, 0.9])
    net = Network.from_edges(2, np.array([0]), np.array([1]))
    att = np.full(2, 0.5)
    slow = knowhow.peer_learning(k, net, np.zeros(2), att, 0.1, 0.3)
    fast = knowhow.peer_learning(k, net, np.full(2, 0.5), att, 0.1, 0.3)
    assert fast[0] > slow[0] > 0


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
