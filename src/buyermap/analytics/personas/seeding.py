"""Starting points for EM: k-means++ (or uniform) seeds in a one-hot/standardised embedding."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from buyermap.analytics.personas.model import Prepared


def embedding(prep: Prepared) -> np.ndarray:
    """Rows as points for seeding: one-hot categorical levels, ordinal levels as one
    standardised number (their order kept), standardised counts (log1p) and reals."""
    enc = prep.enc
    dense = prep.onehot.toarray()[:, : enc.n_levels]
    parts: list[np.ndarray] = []
    for j in range(len(enc.disc)):
        a, b = int(enc.offsets[j]), int(enc.offsets[j + 1])
        block = dense[:, a:b]
        if not enc.ordinal[j]:
            parts.append(block * np.sqrt(0.5))
            continue
        present = block.sum(1) > 0
        level = block @ np.arange(b - a, dtype=float)
        if present.any():
            m, sd = level[present].mean(), level[present].std()
            parts.append(np.where(present, (level - m) / max(float(sd), 1e-9), 0.0)[:, None])
    if prep.count0.shape[1]:
        lx = np.log1p(prep.count0)
        m = (lx * prep.count_mask).sum(0) / np.maximum(prep.count_mask.sum(0), 1)
        s = np.sqrt(
            ((lx - m) ** 2 * prep.count_mask).sum(0) / np.maximum(prep.count_mask.sum(0), 1)
        )
        parts.append(np.where(prep.count_mask > 0, (lx - m) / np.maximum(s, 1e-9), 0.0))
    if prep.cont0.shape[1]:
        z = (prep.cont0 - prep.cont_mean) / np.sqrt(prep.cont_var)
        parts.append(np.where(prep.cont_mask > 0, z, 0.0))
    return np.hstack(parts) if parts else np.zeros((prep.enc.n, 1))


def seed_responsibilities(
    emb: np.ndarray, k: int, rng: np.random.Generator, plus: bool
) -> np.ndarray:
    n = emb.shape[0]
    sq = (emb**2).sum(1)
    centres = [int(rng.integers(n))]
    dist = np.maximum(sq - 2 * emb @ emb[centres[0]] + sq[centres[0]], 0.0)
    for _ in range(1, k):
        if plus and dist.sum() > 0:
            nxt = int(rng.choice(n, p=dist / dist.sum()))
        else:
            nxt = int(rng.integers(n))
        centres.append(nxt)
        dist = np.minimum(dist, np.maximum(sq - 2 * emb @ emb[nxt] + sq[nxt], 0.0))
    c = emb[centres]
    d = sq[:, None] - 2 * emb @ c.T + (c**2).sum(1)[None, :]
    labels = d.argmin(1)
    resp = np.full((n, k), 0.2 / k)
    resp[np.arange(n), labels] += 0.8
    return resp
