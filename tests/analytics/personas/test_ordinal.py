"""The ordinal model: an adjacent-category logit with one location per persona."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from buyermap.analytics.personas.discover import DiscoverQuery, discover
from buyermap.analytics.personas.loading import table_hash
from buyermap.analytics.personas.model import LCAModel, adjacent_category


def _model_probabilities(alpha: np.ndarray, mu: np.ndarray) -> np.ndarray:
    scores = np.arange(alpha.size) / (alpha.size - 1)
    logits = alpha[None, :] + mu[:, None] * scores[None, :]
    prob = np.exp(logits - logits.max(1, keepdims=True))
    out: np.ndarray = prob / prob.sum(1, keepdims=True)
    return out


def test_it_recovers_the_level_shape_and_the_persona_locations_from_counts() -> None:
    alpha = np.array([0.0, 1.2, 0.4, -0.3, 0.8, -1.0])  # not monotone: a real band shape
    mu = np.array([-2.0, 0.0, 1.5])
    truth = _model_probabilities(alpha, mu)
    counts = (truth * 20_000)[None]  # one variable, three personas, expected counts
    fitted = adjacent_category(counts, np.array([6]))[0]
    assert np.abs(fitted - truth).max() < 2e-3


def test_padding_past_a_variables_levels_stays_empty() -> None:
    rng = np.random.default_rng(1)
    counts = rng.gamma(2.0, 10.0, size=(2, 3, 5))
    counts[1, :, 3:] = 0.0  # the second variable has 3 levels
    fitted = adjacent_category(counts, np.array([5, 3]))
    assert np.allclose(fitted.sum(2), 1.0)
    assert np.all(fitted[1, :, 3:] == 0.0)


@settings(max_examples=60, deadline=None)
@given(
    levels=st.integers(2, 10),
    k=st.integers(2, 6),
    seed=st.integers(0, 10_000),
)
def test_personas_are_ordered_the_same_way_at_every_step_of_the_scale(
    levels: int, k: int, seed: int
) -> None:
    """The model's defining property (a linear-by-linear association): if persona A is
    likelier than B to be one level up at one step of the scale, it is so at every step."""
    rng = np.random.default_rng(seed)
    counts = rng.gamma(1.0, 20.0, size=(1, k, levels)) + 0.5
    prob = adjacent_category(counts, np.array([levels]))[0]
    assert np.allclose(prob.sum(1), 1.0)
    step_up = np.log(prob[:, 1:]) - np.log(prob[:, :-1])  # (k, levels - 1)
    gaps = step_up - step_up[:1]  # against persona 0
    spread = gaps.max(1) - gaps.min(1)
    assert np.all(spread < 1e-6 * (1 + np.abs(gaps).max()))


def test_bic_counts_an_ordinal_variable_as_a_shared_shape_and_one_location_per_persona() -> None:
    k, offsets = 4, np.array([0, 5, 15])  # a categorical variable of 5, an ordinal of 10
    model = LCAModel(
        weights=np.full(k, 0.25),
        theta=np.zeros((k, 15)),
        nb_mu=np.zeros((k, 0)),
        nb_r=np.zeros((k, 0)),
        mu=np.zeros((k, 0)),
        var=np.zeros((k, 0)),
    )
    # 3 weights + 4 x 4 categorical shares + (9 shared shape + 3 locations)
    assert model.n_params(offsets, np.array([False, True])) == 3 + 16 + 12
    assert model.n_params(offsets) == 3 + 16 + 36  # all read as unordered


def test_discovery_finds_personas_that_differ_by_a_shift_on_rating_scales() -> None:
    """Three personas answer 12 ten-point scales, each shifted up or down by persona from a
    common, skewed shape: discovery with the scales as ordinal recovers them."""
    rng = np.random.default_rng(5)
    n, scales = 1_500, 12
    truth = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    alpha = np.log(np.array([1, 3, 6, 9, 10, 9, 6, 4, 2, 1], dtype=float))
    shifts = rng.normal(0.0, 1.2, size=(3, scales))
    columns: dict[str, list[int]] = {}
    for j in range(scales):
        prob = _model_probabilities(alpha, shifts[:, j] * 3)
        columns[f"q{j + 1}"] = [int(rng.choice(10, p=prob[c])) + 1 for c in truth]
    table = pl.DataFrame({"id": list(range(n)), **columns})
    query = DiscoverQuery(
        id_column="id",
        variables=tuple(f"q{j + 1}:ordinal" for j in range(scales)),
        k=3,
        n_boot=2,
        force=True,
    )
    result = discover(table, query, inputs_hash=table_hash(table))
    by_id = dict(
        zip(result.assignments.ids.to_list(), result.assignments.persona.tolist(), strict=True)
    )
    found = [str(by_id[i]) for i in range(n)]
    assert adjusted_rand_score(truth, found) > 0.8
