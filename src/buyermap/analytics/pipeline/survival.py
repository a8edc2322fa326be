"""Survival pieces: Kaplan-Meier and a competing-risks hazard model of leaving a stage.

Why write Kaplan-Meier here instead of using lifelines: it is twenty lines of numpy, the
project does not otherwise need lifelines (and its pandas-heavy dependency tree), and a
known-answer test pins it down.

The hazard model is piecewise exponential: days in a stage are cut into bins, and in each
bin the rate of leaving to destination ``k`` is ``events_k / days at risk``. That is the
maximum-likelihood estimate with right-censoring (open deals count as days at risk with no
event), and it makes the chance of moving on depend on how long a deal has already waited.
Sparse cells are shrunk: a bin toward its neighbouring bins, a segment toward the whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741

# Bin edges in days-in-stage: weekly for half a year, monthly to two years, then one tail.
BIN_EDGES: F = np.concatenate([np.arange(0, 182, 7.0), np.arange(182, 731, 30.5)])
PRIOR_DAYS_BIN = 10.0  # pseudo deal-days pulling a bin toward its neighbours
PRIOR_DAYS_SEGMENT = 20.0  # pseudo deal-days pulling a segment toward all segments


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    times: F  # distinct event times
    survival: F  # S(t) just after each time
    n: int
    events: int

    def quantile(self, q: float) -> float | None:
        """Smallest t with S(t) <= 1 - q; None when too few have left to know."""
        hit = np.flatnonzero(self.survival <= 1.0 - q + 1e-12)
        return float(self.times[hit[0]]) if len(hit) else None


def kaplan_meier(durations: F, events: npt.NDArray[np.bool_]) -> KaplanMeier:
    """Product-limit estimate; at tied times events come before censorings."""
    d = np.asarray(durations, dtype=np.float64)
    e = np.asarray(events, dtype=bool)
    if len(d) == 0:
        return KaplanMeier(np.zeros(0), np.zeros(0), 0, 0)
    times, inverse = np.unique(d, return_inverse=True)
    deaths = np.bincount(inverse, weights=e.astype(np.float64), minlength=len(times))
    leaving = np.bincount(inverse, minlength=len(times)).astype(np.float64)
    at_risk = len(d) - np.concatenate([[0.0], np.cumsum(leaving)[:-1]])
    keep = deaths > 0
    surv = np.cumprod(1.0 - deaths[keep] / at_risk[keep])
    return KaplanMeier(times[keep], surv, len(d), int(e.sum()))


@dataclass(frozen=True, slots=True)
class Hazards:
    """Daily rates of leaving stage ``s`` to destination ``k`` by days already waited.

    ``rates[g, s, b, k]``: group (segment) ``g``, open stage ``s``, bin ``b`` of
    :data:`BIN_EDGES`, destination ``k`` (open stages, then won, then lost).
    ``exposure[g, s, b]`` are the deal-days behind each rate.
    """

    rates: F
    exposure: F
    events: F
    edges: F

    @property
    def n_stages(self) -> int:
        return int(self.rates.shape[1])


def fit_hazards(
    stage: I,
    group: I,
    duration: F,
    dest: I,
    *,
    n_stages: int,
    n_groups: int,
    weights: F | None = None,
    edges: F = BIN_EDGES,
) -> Hazards:
    """Fit the competing-risks piecewise-exponential model to stays in open stages.

    ``dest`` is -1 for a stay still going on (censored) else the destination code.
    """
    n_bins, n_dest = len(edges), n_stages + 2
    w = np.ones(len(stage)) if weights is None else weights
    cell = group * n_stages + stage
    n_cells = n_groups * n_stages
    widths = np.append(np.diff(edges), np.inf)
    exposure = np.zeros((n_cells, n_bins))
    for b in range(n_bins):
        part = np.clip(duration - edges[b], 0.0, widths[b])
        exposure[:, b] = np.bincount(cell, weights=part * w, minlength=n_cells)
    done = dest >= 0
    ebin = np.clip(np.searchsorted(edges, duration[done], side="right") - 1, 0, n_bins - 1)
    flat = (cell[done] * n_bins + ebin) * n_dest + dest[done]
    counts = np.bincount(flat, weights=w[done], minlength=n_cells * n_bins * n_dest)
    exposure_gsb: F = exposure.reshape(n_groups, n_stages, n_bins)
    events: F = counts.astype(np.float64).reshape(n_groups, n_stages, n_bins, n_dest)
    # the whole (all segments): bins shrunk toward the stage's overall rate
    all_exp = exposure_gsb.sum(axis=0)
    all_ev = events.sum(axis=0)
    near_ev, near_exp = _neighbours(all_ev), _neighbours(all_exp)
    local = near_ev / np.maximum(near_exp, 1e-9)[:, :, None]
    pooled = (all_ev + PRIOR_DAYS_BIN * local) / (all_exp[:, :, None] + PRIOR_DAYS_BIN)
    # each segment shrunk toward the whole
    rates = (events + PRIOR_DAYS_SEGMENT * pooled[None]) / (
        exposure_gsb[..., None] + PRIOR_DAYS_SEGMENT
    )
    return Hazards(rates=rates, exposure=exposure_gsb, events=events, edges=edges)


def _neighbours(x: F) -> F:
    """Sum of each bin and its two neighbours along axis 1 (a local prior)."""
    pad = np.zeros_like(x[:, :1])
    left = np.concatenate([pad, x[:, :-1]], axis=1)
    right = np.concatenate([x[:, 1:], pad], axis=1)
    out: F = x + left + right
    return out


def daily_steps(h: Hazards, max_age: int) -> F:
    """Probabilities of leaving to each destination during day ``d`` of a stay.

    Returns ``p[g, s, d, k]`` for d = 0..max_age; the last day stands for every later day.
    """
    ages = np.arange(max_age + 1) + 0.5
    b = np.clip(np.searchsorted(h.edges, ages, side="right") - 1, 0, len(h.edges) - 1)
    lam = h.rates[:, :, b, :]  # g, s, d, k
    total = lam.sum(axis=-1, keepdims=True)
    leave = 1.0 - np.exp(-total)
    share = np.divide(lam, total, out=np.zeros_like(lam), where=total > 0)
    out: F = share * leave
    return out


@dataclass(frozen=True, slots=True)
class WinCurves:
    """``at_age[g, s, a]``: chance to be won within the horizon, being in s for a days.

    ``fresh[g, s, t]``: chance to be won within t days of entering s (t = 0..horizon).
    """

    at_age: F
    fresh: F
    horizon: int

    def lookup(self, group: I, stage: I, age: F) -> F:
        a = np.clip(np.floor(age).astype(np.int64), 0, self.at_age.shape[2] - 1)
        out: F = self.at_age[group, stage, a]
        return out


def win_curves(h: Hazards, horizon: int) -> WinCurves:
    """Backward recursion over days: V_t(s, a) = P(won within t days | in s, a days in).

    V_t(s,a) = p_won(s,a) + sum_k p_k(s,a) V_{t-1}(k,0) + p_stay(s,a) V_{t-1}(s,a+1),
    with the hazard constant after the last bin edge (so ages beyond it share a value).
    """
    (at_age,), fresh = win_recursion(h, horizon, (horizon,))
    return WinCurves(at_age=at_age, fresh=fresh, horizon=horizon)


def win_recursion(h: Hazards, horizon: int, keep: tuple[int, ...]) -> tuple[F, F]:
    """The recursion of :func:`win_curves`, keeping ``V_t`` for each ``t`` in ``keep``.

    Returns ``(at_age[j, g, s, a], fresh[g, s, t])``: the chance to be won within
    ``keep[j]`` days being ``a`` days in ``s``, and within ``t`` days of entering ``s``
    (t = 0..horizon).
    """
    max_age = int(h.edges[-1]) + 1
    p = daily_steps(h, max_age)
    s_open = h.n_stages
    p_move = p[..., :s_open]  # g, s, a, k
    p_won = p[..., s_open]
    p_stay = 1.0 - p.sum(axis=-1)
    n_groups = p.shape[0]
    v = np.zeros((n_groups, s_open, max_age + 1))
    fresh = np.zeros((n_groups, s_open, horizon + 1))
    at_age = np.zeros((len(keep), n_groups, s_open, max_age + 1))
    want = {t: j for j, t in enumerate(keep)}
    for t in range(1, horizon + 1):
        entry = v[:, :, 0]  # g, k
        shifted = np.concatenate([v[:, :, 1:], v[:, :, -1:]], axis=2)
        v = p_won + np.einsum("gsak,gk->gsa", p_move, entry) + p_stay * shifted
        fresh[:, :, t] = v[:, :, 0]
        if t in want:
            at_age[want[t]] = v
    return at_age, fresh
