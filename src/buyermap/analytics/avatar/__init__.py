"""The learned customer avatar: which traits separate the companies that buy (docs/avatar.md).

``learn(query, table)`` fits an interpretable, calibrated additive model (numbers in
quantile bins learned from the raw values, categories one-hot with rare levels pooled,
missing as its own level, an L2 logistic regression with its strength chosen by
cross-validation, a few pairwise interactions kept only when they win out of fold);
``score(model, table)`` gives every row its fit, probability, tier and reasons.
No database here: the workspace's accounts are turned into a table by the seam.
"""

from buyermap.analytics.avatar.learn import AvatarResult, learn
from buyermap.analytics.avatar.model import AvatarModel
from buyermap.analytics.avatar.query import LearnQuery
from buyermap.analytics.avatar.score import ScoreResult, score

__all__ = ["AvatarModel", "AvatarResult", "LearnQuery", "ScoreResult", "learn", "score"]
