"""Kaplan-Meier and the hazard model against hand-computed and closed-form values."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from buyermap.analytics.pipeline.survival import Hazards, fit_hazards, kaplan_meier, win_curves


def _one_stage_hazards(duration: npt.NDArray[np.float64], dest: npt.NDArray[np.int64]) -> Hazards:
    """Hazards of deals that all sit in stage 0 of group 0."""
    zeros = np.zeros(len(duration), dtype=np.int64)
    return fit_hazards(zeros, zeros, duration, dest, n_stages=1, n_groups=1)


def test_kaplan_meier_matches_the_hand_computed_curve() -> None:
    # at risk 6,5,3,1 at the event times 1,2,3,5; one censored at 2 and one at 4
    km = kaplan_meier(np.array([1.0, 2, 2, 3, 4, 5]), np.array([1, 1, 0, 1, 0, 1], dtype=bool))
    assert km.times.tolist() == [1.0, 2.0, 3.0, 5.0]
    assert km.survival == pytest.approx([5 / 6, 4 / 6, 4 / 9, 0.0])
    assert km.quantile(0.5) == 3.0
    assert km.quantile(0.9) == 5.0
    assert (km.n, km.events) == (6, 4)


def test_kaplan_meier_says_unknown_when_too_few_have_left() -> None:
    km = kaplan_meier(np.array([1.0, 5, 6, 7]), np.array([1, 0, 0, 0], dtype=bool))
    assert km.quantile(0.5) is None


def test_hazards_recover_a_constant_competing_rate() -> None:
    rng = np.random.default_rng(1)
    n = 20_000
    duration = rng.exponential(1 / 0.2, n)  # total rate 0.2 a day
    dest = np.where(rng.random(n) < 0.25, 1, 2)  # one open stage: 1 = won, 2 = lost
    censor_at = rng.exponential(10.0, n)  # independent censoring (deals still open)
    dest = np.where(censor_at < duration, -1, dest)
    duration = np.minimum(duration, censor_at)
    h = _one_stage_hazards(duration, dest)
    early = h.rates[0, 0, :2]  # the well-populated bins (days 0-13)
    assert early[:, 1] == pytest.approx(np.full(2, 0.05), rel=0.15)
    assert early[:, 2] == pytest.approx(np.full(2, 0.15), rel=0.1)


def test_win_curves_match_the_closed_form_for_a_constant_hazard() -> None:
    rng = np.random.default_rng(2)
    n = 50_000
    duration = rng.exponential(5.0, n)
    dest = np.where(rng.random(n) < 0.5, 1, 2)
    h = _one_stage_hazards(duration, dest)
    curves = win_curves(h, 30)
    # P(won within t) = 0.5 (1 - exp(-0.2 t)), whatever the age (no memory)
    for t in (1, 10, 30):
        assert curves.fresh[0, 0, t] == pytest.approx(0.5 * (1 - np.exp(-0.2 * t)), rel=0.05)
    assert curves.at_age[0, 0, 20] == pytest.approx(0.5 * (1 - np.exp(-6.0)), rel=0.05)
