"""Enough evidence or no answer: the floor, the warning band, --force, role buckets."""

from __future__ import annotations

import polars as pl
import pytest

from buyermap.analytics.personas.discover import DiscoverQuery, discover, required_rows
from buyermap.analytics.personas.selection import UNTRUSTED
from buyermap.analytics.personas.synth import make_personas_data
from buyermap.errors import InsufficientEvidenceError
from tests.analytics.personas.conftest import FAST

FEW = ("department", "seniority", "company_size", "webinars_attended", "annual_spend")


def test_it_refuses_twenty_rows_and_says_how_many_it_needs() -> None:
    frame = make_personas_data(20, seed=3).frame
    query = DiscoverQuery(id_column="contact_id", variables=FEW)
    with pytest.raises(InsufficientEvidenceError) as err:
        discover(frame, query, inputs_hash="")
    assert err.value.exit_code == 2
    assert "needs at least 100 rows for 5 segmentation variables" in err.value.message
    assert "the input has 20" in err.value.message


def test_the_floor_is_ten_rows_per_variable_or_one_hundred() -> None:
    assert required_rows(5) == 100
    assert required_rows(20) == 200


def test_it_warns_below_seventy_rows_per_variable() -> None:
    frame = make_personas_data(300, seed=3).frame
    query = DiscoverQuery(id_column="contact_id", variables=FEW, **FAST)  # type: ignore[arg-type]
    result = discover(frame, query, inputs_hash="")
    assert any("Dolnicar" in w and "350" in w for w in result.warnings)
    trusted = [p for p in result.personas if p.stability is not None and p.stability >= UNTRUSTED]
    assert trusted, [p.stability for p in result.personas]  # the band warns, it does not flag
    for persona in result.personas:  # above the floor, only instability marks low evidence
        unstable = persona.stability is not None and persona.stability < UNTRUSTED
        assert persona.low_evidence == unstable


def test_force_runs_anyway_and_marks_every_persona_low_evidence() -> None:
    frame = make_personas_data(60, seed=3).frame
    query = DiscoverQuery(
        id_column="contact_id",
        variables=FEW,
        force=True,
        **FAST,  # type: ignore[arg-type]
    )
    result = discover(frame, query, inputs_hash="")
    assert result.personas
    assert all(p.low_evidence for p in result.personas)
    assert any("forced below the evidence floor" in w for w in result.warnings)


def test_role_buckets_are_segmented_separately() -> None:
    data = make_personas_data(2400, seed=5, role_personas=True)
    query = DiscoverQuery(
        id_column="contact_id",
        role_column="role",
        exclude=("comment", "age", "country"),
        **FAST,  # type: ignore[arg-type]
    )
    result = discover(data.frame, query, inputs_hash="")
    buckets = {b.bucket: b for b in result.buckets}
    assert set(buckets) == {"buyer", "end user", "influencer"}
    for name, bucket in buckets.items():
        assert bucket.personas
        assert all(p.bucket == name for p in bucket.personas)
    keys = [p.key for p in result.personas]
    assert len(keys) == len(set(keys))
    assert any(k.startswith("end-user-") for k in keys)
    roles = data.frame["role"].to_list()
    for role, key in zip(roles, result.assignments.persona.tolist(), strict=True):
        assert str(key).startswith(role.replace(" ", "-") + "-")
    doc = result.to_dict()
    assert {b["bucket"] for b in doc["buckets"]} == set(buckets)
    assert {p["bucket"] for p in doc["personas"]} == set(buckets)


def test_a_too_small_bucket_is_refused_but_the_others_run() -> None:
    data = make_personas_data(700, seed=5)
    frame = data.frame.with_columns(
        data.frame["role"].replace({"influencer": "buyer"}).alias("role")
    )
    frame = frame.with_columns(
        pl.when(pl.col("contact_id") <= 30)
        .then(pl.lit("champion"))
        .otherwise(pl.col("role"))
        .alias("role")
    )
    query = DiscoverQuery(
        id_column="contact_id",
        role_column="role",
        variables=FEW,
        **FAST,  # type: ignore[arg-type]
    )
    result = discover(frame, query, inputs_hash="")
    refused = [b for b in result.buckets if b.refused]
    assert [b.bucket for b in refused] == ["champion"]
    assert any("bucket 'champion'" in w and "needs at least 100" in w for w in result.warnings)
