"""Known answer: the planted personas are found (k and membership), better than k-means."""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from buyermap.analytics.personas.discover import DiscoverQuery, PersonaResult, discover
from buyermap.analytics.personas.encoding import encode
from buyermap.analytics.personas.model import fit, posterior
from buyermap.analytics.personas.selection import match
from buyermap.analytics.personas.synth import SynthData, make_personas_data
from buyermap.analytics.personas.variables import choose_variables
from tests.analytics.personas.conftest import FAST


def _labels(result: PersonaResult) -> np.ndarray:
    keys = [p.key for p in result.personas]
    return np.array([keys.index(str(k)) for k in result.assignments.persona])


def _onehot_kmeans_ari(data: SynthData, k: int) -> float:
    frame = data.frame.select(list(data.bases)).to_pandas()
    import pandas as pd

    x = pd.get_dummies(frame, dummy_na=False).astype(float)
    x = x.fillna(x.mean())
    x = (x - x.mean()) / x.std().replace(0, 1)
    labels = KMeans(k, n_init=10, random_state=0).fit(x.to_numpy()).labels_
    keep = data.truth >= 0
    return float(adjusted_rand_score(data.truth[keep], labels[keep]))


def test_it_finds_the_planted_number_of_personas(planted_result: PersonaResult) -> None:
    assert planted_result.k == 4
    chosen = [c for c in planted_result.buckets[0].candidates if c.chosen]
    assert [c.k for c in chosen] == [4]
    assert all(p.stability is not None and p.stability >= 0.75 for p in planted_result.personas)


def test_it_recovers_planted_membership_better_than_one_hot_kmeans(
    planted: SynthData, planted_result: PersonaResult
) -> None:
    keep = planted.truth >= 0
    ari = adjusted_rand_score(planted.truth[keep], _labels(planted_result)[keep])
    baseline = _onehot_kmeans_ari(planted, 4)
    assert ari >= 0.80, f"ARI {ari:.3f}"
    assert ari > baseline + 0.05, f"ARI {ari:.3f} vs one-hot k-means {baseline:.3f}"


def test_it_recovers_when_a_variable_is_missing_for_a_whole_persona() -> None:
    data = make_personas_data(2500, seed=11, missing_block=("annual_spend", 1))
    frame = data.frame
    persona_rows = data.truth == 1
    assert frame.filter(pl.Series(persona_rows))["annual_spend"].null_count() == persona_rows.sum()
    query = DiscoverQuery(id_column="contact_id", exclude=("role", "comment", "age", "country"))
    result = discover(frame, DiscoverQuery(**{**query.settings(), "k": 4, **FAST}), inputs_hash="")
    keep = data.truth >= 0
    ari = adjusted_rand_score(data.truth[keep], _labels(result)[keep])
    assert ari >= 0.80, f"ARI {ari:.3f}"


def test_membership_probabilities_sum_to_one(planted: SynthData) -> None:
    sel = choose_variables(planted.frame, id_column="contact_id", exclude=("role", "comment"))
    enc = encode(planted.frame.head(600), sel.bases)
    model = fit(enc, 3, n_init=2, seed=1)
    resp, loglik = posterior(model, enc, chunk=250)
    assert resp.shape == (600, 3)
    np.testing.assert_allclose(resp.sum(1), 1.0, atol=1e-9)
    assert np.isfinite(loglik)
    assert np.all(model.weights[:-1] >= model.weights[1:])  # largest first


def test_assigned_probability_is_the_top_posterior(
    planted: SynthData, planted_result: PersonaResult
) -> None:
    (bucket,) = planted_result.buckets
    assert bucket.model is not None
    resp, _ = posterior(bucket.model, encode(planted.frame, planted_result.variables.bases))
    top = resp.argmax(1)
    np.testing.assert_allclose(planted_result.assignments.probability, resp.max(1), atol=1e-9)
    keys = np.array([p.key for p in bucket.personas], dtype=object)
    assert planted_result.assignments.persona.tolist() == keys[top].tolist()


def test_matching_pairs_clusters_by_jaccard() -> None:
    a = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    b = np.array([2, 2, 2, 0, 0, 1, 1, 0])
    partner, score = match(a, b, 3, 3)
    assert partner.tolist() == [2, 0, 1]
    assert score[0] == 1.0
    assert round(float(score[1]), 3) == round(2 / 3, 3)


def test_it_finds_one_persona_when_none_are_planted() -> None:
    data = make_personas_data(3000, k=1, seed=3)
    query = DiscoverQuery(id_column="contact_id", exclude=("role", "comment"), **FAST)  # type: ignore[arg-type]
    result = discover(data.frame, query, inputs_hash="")
    assert result.k == 1
    two = next(c for c in result.buckets[0].candidates if c.k == 2)
    assert two.stability is not None
    assert min(two.stability) < 0.75
