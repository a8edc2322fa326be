"""The learned avatar: the evidence guard, types read from text, the planted avatar of
``analytics/avatar/synth.py`` recovered, against logistic and gradient-boosting baselines."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from scipy.stats import spearmanr
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import OneHotEncoder

from buyermap.analytics.avatar import AvatarModel, LearnQuery, learn, score
from buyermap.analytics.avatar.columns import infer
from buyermap.analytics.avatar.learn import AvatarResult
from buyermap.analytics.avatar.synth import companies
from buyermap.errors import AvatarInputError, InsufficientEvidenceError

QUERY = LearnQuery(outcome="won", id_column="id")


@pytest.fixture(scope="module")
def planted() -> tuple[pl.DataFrame, np.ndarray, AvatarResult]:
    table, logit = companies(8000, seed=3)
    return table, logit, learn(QUERY, table, inputs_hash="synth")


def test_twenty_rows_with_three_positives_are_refused_with_the_number_needed() -> None:
    table = pl.DataFrame(
        {
            "id": list(range(20)),
            "industry": ["Software", "Retail"] * 10,
            "won": ["yes"] * 3 + ["no"] * 17,
        }
    )
    with pytest.raises(InsufficientEvidenceError) as raised:
        learn(QUERY, table, inputs_hash="x")
    message = raised.value.message
    assert "at least 30 positive and 30 negative" in message
    assert "3 positive and 17 negative" in message
    assert raised.value.exit_code == 2
    assert raised.value.details["needed_positives"] == 30


def test_below_the_comfort_level_it_warns_and_widens_the_interval() -> None:
    table, _ = companies(200, seed=5)
    result = learn(QUERY, table, inputs_hash="x")
    assert result.evidence == "low"
    assert any(w.startswith("low evidence") for w in result.warnings)
    big, _ = companies(4000, seed=5)
    comfortable = learn(QUERY, big, inputs_hash="x")
    assert comfortable.evidence == "ok"
    width = result.auc_interval[1] - result.auc_interval[0]
    assert width > 2 * (comfortable.auc_interval[1] - comfortable.auc_interval[0])


def test_force_learns_below_the_floor_marked_as_forced() -> None:
    table, _ = companies(60, seed=2)
    forced = learn(LearnQuery(outcome="won", id_column="id", force=True), table, inputs_hash="x")
    assert forced.evidence == "forced"


def test_numbers_and_yes_no_words_written_as_text_are_read_as_such(planted: tuple) -> None:  # type: ignore[type-arg]
    _, _, result = planted
    kinds = {c.name: c.kind for c in result.columns}
    assert kinds["employees"] == kinds["years_on_market"] == "number"  # text in the table
    assert kinds["holding"] == "boolean"  # yes/no in seven languages
    assert infer(pl.Series("e", ["12 500", "1.234,5", "$1,200", "7", None])).kind == "number"
    words = ["tak", "nie", "igen", "nem", "ano", "ne", "kyllä", "ei", "já", "nei", "da", "nu"]
    assert infer(pl.Series("h", words)).kind == "boolean"
    assert infer(pl.Series("c", ["a", "b", "a"])).kind == "category"
    assert infer(pl.Series("k", [f"id-{i}" for i in range(100)])).kind == "ignored"
    assert infer(pl.Series("one", ["x"] * 10)).kind == "ignored"


def test_an_outcome_that_is_not_yes_no_needs_its_positive_value() -> None:
    table = pl.DataFrame({"id": [1, 2], "stage": ["won", "lost"], "x": ["a", "b"]})
    with pytest.raises(AvatarInputError, match="say which value means a buyer"):
        learn(LearnQuery(outcome="stage"), table, inputs_hash="x")
    with pytest.raises(AvatarInputError, match=r"'signed' does not occur.*'lost', 'won'"):
        learn(LearnQuery(outcome="stage", positive="signed"), table, inputs_hash="x")


def test_a_column_the_table_lacks_is_refused_naming_it() -> None:
    table = pl.DataFrame({"id": [1], "won": ["yes"]})
    with pytest.raises(AvatarInputError, match=r"no column 'size' \(given as exclude\)"):
        learn(LearnQuery(outcome="won", exclude=("size",)), table, inputs_hash="x")


def test_it_finds_the_planted_traits_from_raw_numbers(planted: tuple) -> None:  # type: ignore[type-arg]
    _, _, result = planted
    top = {t.value for t in result.traits[:6]}
    assert "200-2,000 employees" in top  # non-monotone: tiny and huge do not buy
    assert {"Software", "DACH"} <= top
    assert "5-10 years on market" in top or "5-20 years on market" in top
    bottom = {t.value for t in result.traits[-4:]}
    assert "Retail" in bottom
    assert all("noise" not in t.feature for t in result.traits[:6])
    assert result.interactions
    assert result.interactions[0]["terms"] == ["industry", "region"]


def test_fit_tiers_and_reasons_follow_the_planted_log_odds(planted: tuple) -> None:  # type: ignore[type-arg]
    table, logit, result = planted
    scored = score(result.model, table)
    rho = spearmanr(scored.probability, logit).statistic
    assert rho >= 0.93
    lifts = [t.lift for t in result.tiers]
    assert lifts == sorted(lifts, reverse=True)
    assert lifts[0] > 1.5 > 0.5 > lifts[-1]
    assert scored.fit.min() >= 0.0
    assert scored.fit.max() <= 100.0
    reasons = scored.reasons(0)
    assert 1 <= len(reasons) <= 3
    assert {"feature", "value", "effect"} <= set(reasons[0])
    for b in result.reliability:  # calibrated out of fold
        assert abs(b["predicted"] - b["observed"]) < 0.08


def test_the_model_round_trips_through_json_and_scores_the_same(planted: tuple) -> None:  # type: ignore[type-arg]
    table, _, result = planted
    again = AvatarModel.from_json(json.loads(json.dumps(result.model.to_json())))
    assert np.allclose(score(again, table).probability, score(result.model, table).probability)


def test_it_ranks_better_than_a_linear_logistic_and_as_well_as_gradient_boosting(
    planted: tuple,  # type: ignore[type-arg]
) -> None:
    table, _, result = planted
    fresh, truth = companies(8000, seed=4)
    y = (fresh["won"] == "yes").to_numpy()
    ours = roc_auc_score(y, score(result.model, fresh).probability)
    train_y = (table["won"] == "yes").to_numpy()

    def matrix(t: pl.DataFrame, enc: OneHotEncoder) -> np.ndarray:
        nums = np.column_stack(
            [
                np.log1p(t["employees"].str.replace_all(r"[ ,]", "").cast(pl.Float64).to_numpy()),
                t["years_on_market"].str.replace(",", ".").cast(pl.Float64).to_numpy(),
                t["noise_number"].to_numpy(),
            ]
        )
        cats = enc.transform(t.select("industry", "region", "holding", "noise_category").to_numpy())
        return np.column_stack([nums, cats])

    enc = OneHotEncoder(sparse_output=False, handle_unknown="ignore")
    enc.fit(table.select("industry", "region", "holding", "noise_category").to_numpy())
    linear = LogisticRegression(max_iter=2000).fit(matrix(table, enc), train_y)
    boosted = HistGradientBoostingClassifier(random_state=0).fit(matrix(table, enc), train_y)
    lin = roc_auc_score(y, linear.predict_proba(matrix(fresh, enc))[:, 1])
    gb = roc_auc_score(y, boosted.predict_proba(matrix(fresh, enc))[:, 1])
    best = roc_auc_score(y, truth)
    assert ours > lin + 0.02
    assert ours >= gb - 0.005
    assert best - ours < 0.02


def test_values_never_seen_in_training_score_as_other_with_a_warning(planted: tuple) -> None:  # type: ignore[type-arg]
    _, _, result = planted
    fresh, _ = companies(200, seed=9)
    fresh = fresh.with_columns(pl.lit("Aerospace").alias("industry"))
    scored = score(result.model, fresh)
    assert scored.n == 200
    assert any("not seen in training" in w for w in scored.warnings)


def test_an_empty_cell_scores_as_unknown_not_as_a_value_never_seen(planted: tuple) -> None:  # type: ignore[type-arg]
    _, _, result = planted
    fresh, _ = companies(200, seed=9)
    fresh = fresh.with_columns(pl.lit(None, dtype=pl.Utf8).alias("industry"))
    scored = score(result.model, fresh)
    assert not any("not seen in training" in w for w in scored.warnings)
    term = next(t for t in result.model.terms if t.column == "industry")
    codes = term.codes(fresh["industry"])
    assert set(codes.tolist()) == {term.missing_code}
    assert term.level_words(term.missing_code).endswith("unknown")
