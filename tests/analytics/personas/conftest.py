"""Shared synthetic data: planted personas (see buyermap.analytics.personas.synth)."""

from __future__ import annotations

from pathlib import Path

import pytest

from buyermap.analytics.personas.discover import DiscoverQuery, PersonaResult, discover
from buyermap.analytics.personas.synth import SynthData, make_personas_data

# Light settings so the suite stays fast on a shared 2-core machine.
FAST = {"k_max": 6, "n_init": 5, "n_boot": 5}


@pytest.fixture(scope="session")
def planted() -> SynthData:
    """3,000 rows, 4 planted personas (shares 40/28/20/12%), 20 mixed segmentation
    variables with 5% missing cells, 3 noise columns and 3% off-profile rows."""
    return make_personas_data(3000, seed=7)


@pytest.fixture(scope="session")
def planted_result(planted: SynthData) -> PersonaResult:
    query = DiscoverQuery(
        id_column="contact_id",
        describe=("age", "country"),
        exclude=("role",),
        quote_column="comment",
        **FAST,  # type: ignore[arg-type]
    )
    return discover(planted.frame, query, inputs_hash="planted", progress=None)


@pytest.fixture(scope="session")
def planted_csv(planted: SynthData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("personas") / "planted.csv"
    planted.frame.write_csv(path)
    return path
