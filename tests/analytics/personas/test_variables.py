"""Type inference and loading: readable reasons, user overrides, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buyermap.analytics.personas.encoding import encode
from buyermap.analytics.personas.loading import read_input
from buyermap.analytics.personas.variables import choose_variables, infer_variable
from buyermap.errors import BuyermapError, PersonaInputError


def test_it_infers_each_kind_with_a_reason() -> None:
    n = 200
    frame = pl.DataFrame(
        {
            "id": list(range(n)),
            "size": ["1-10", "11-50", "51-200", "5000+"] * (n // 4),
            "likert": ["Agree", "Disagree", "Neutral", "Strongly agree"] * (n // 4),
            "score": [1, 2, 3, 4, 5] * (n // 5),
            "visits": [0, 3, 7, 12] * (n // 4),
            "spend": [round(1.5 ** (i % 20) + 0.25, 2) for i in range(n)],
            "dept": ["IT", "HR"] * (n // 2),
            "note": [f"a long free text answer number {i} about the product" for i in range(n)],
        }
    )
    kinds = {c: infer_variable(frame[c]).kind for c in frame.columns}
    assert kinds == {
        "id": "id",
        "size": "ordinal",
        "likert": "ordinal",
        "score": "ordinal",
        "visits": "count",
        "spend": "continuous",
        "dept": "categorical",
        "note": "text",
    }
    assert infer_variable(frame["size"]).levels == ("1-10", "11-50", "51-200", "5000+")
    assert infer_variable(frame["spend"]).log
    assert "rating scale" in infer_variable(frame["score"]).reason


def test_the_user_overrides_a_kind_and_unknown_columns_fail() -> None:
    frame = pl.DataFrame({"id": [1, 2, 3], "visits": [0, 3, 7], "x": ["a", "b", "a"]})
    sel = choose_variables(frame, id_column="id", variables=["visits:continuous", "x"])
    assert [v.kind for v in sel.bases] == ["continuous", "categorical"]
    with pytest.raises(PersonaInputError, match="'nope' is not in the input"):
        choose_variables(frame, id_column="id", variables=["nope"])
    with pytest.raises(PersonaInputError, match="unknown variable kind"):
        choose_variables(frame, id_column="id", variables=["x:weird"])


def test_missing_cells_stay_missing() -> None:
    frame = pl.DataFrame({"a": ["x", None, "y"], "n": [1.0, None, 3.5]})
    sel = choose_variables(frame, id_column=None, variables=["a", "n"])
    enc = encode(frame, sel.bases)
    assert enc.codes[1, 0] == enc.n_levels
    assert enc.missing_share() == {"a": pytest.approx(1 / 3), "n": pytest.approx(1 / 3)}


def test_read_input_reads_csv_and_xlsx_and_rejects_other_files(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": [1, 2], "dept": ["IT", "HR"]})
    frame.write_csv(tmp_path / "t.csv")
    assert read_input(tmp_path / "t.csv").shape == (2, 2)
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    for row in (["id", "dept", "visits"], [1, "IT", 3], [2, "HR", None]):
        sheet.append(row)
    wb.save(tmp_path / "t.xlsx")
    loaded = read_input(tmp_path / "t.xlsx")
    assert loaded.columns == ["id", "dept", "visits"]
    assert loaded["visits"].to_list() == ["3", None]
    assert infer_variable(loaded["visits"], kind="count").kind == "count"
    (tmp_path / "t.json").write_text("{}")
    with pytest.raises(BuyermapError, match="unknown file type"):
        read_input(tmp_path / "t.json")


cell = st.one_of(
    st.none(),
    st.integers(-5, 50),
    st.floats(-1e6, 1e6),
    st.just(float("nan")),
    st.sampled_from(["a", "b", "Agree", "Neutral", "1-10", "11-50", "", " ", "x,y", "é"]),
    st.text(max_size=12),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(cell, min_size=width, max_size=width), min_size=0, max_size=25
        )
    )
)
def test_inference_and_encoding_never_crash(rows: list[list[object]]) -> None:
    width = len(rows[0]) if rows else 1
    data = {f"c{j}": [None if not r else r[j] for r in rows] for j in range(width)}
    frame = pl.DataFrame(
        {
            k: pl.Series(k, [None if v is None else str(v) for v in vs], dtype=pl.Utf8)
            for k, vs in data.items()
        }
    )
    try:
        sel = choose_variables(frame, id_column=None)
    except BuyermapError as exc:
        message = exc.message
        assert message, "errors must say what is wrong"
        return
    enc = encode(frame, sel.bases)
    assert enc.n == frame.height
    assert all(0 <= share <= 1 for share in enc.missing_share().values())


number = st.one_of(
    st.none(),
    st.integers(-3, 40),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(number, number, cell), min_size=0, max_size=30))
def test_numeric_tables_round_trip_through_csv_and_never_crash(
    rows: list[tuple[object, object, object]],
) -> None:
    frame = pl.DataFrame(
        {
            "a": pl.Series([r[0] for r in rows], dtype=pl.Float64, strict=False),
            "b": pl.Series([r[1] for r in rows], dtype=pl.Float64, strict=False),
            "c": pl.Series([None if r[2] is None else str(r[2]) for r in rows], dtype=pl.Utf8),
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        frame.write_csv(path)
        try:
            loaded = read_input(path)
            sel = choose_variables(loaded, id_column=None)
        except BuyermapError as exc:
            message = exc.message
            assert message, "errors must say what is wrong"
            return
    enc = encode(loaded, sel.bases)
    assert enc.n == frame.height
    assert not np.isinf(enc.cont_x).any()
