"""Messages from the API name the request's fields and paths, never CLI flags or server paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from buyermap.settings import Settings
from buyermap.web.app import create_app


@pytest.fixture
def files(tmp_path: Path) -> Path:
    root = tmp_path / "files"
    root.mkdir()
    (root / "events.csv").write_text("user_id,event,ts\n1,visit,1700000000\n1,signup,1700000100\n")
    return root


@pytest.fixture
def api(tmp_path: Path, files: Path) -> TestClient:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", files_root=files)
    return TestClient(create_app(settings))


def _message(api: TestClient, body: dict[str, object]) -> str:
    response = api.post("/api/v1/funnels", json={"steps": ["visit", "signup"], **body})
    assert 400 <= response.status_code < 500, response.text
    text = response.text
    assert "--" not in text
    return text


def test_a_missing_column_is_named_by_its_field(api: TestClient, files: Path) -> None:
    text = _message(api, {"path": "events.csv", "time_column": "when"})
    assert "time_column" in text
    assert str(files) not in text


def test_a_missing_file_is_named_as_the_client_gave_it(api: TestClient, files: Path) -> None:
    text = _message(api, {"path": "nope.csv"})
    assert "nope.csv" in text
    assert str(files) not in text


def test_a_path_outside_the_files_root_does_not_reveal_the_root(
    api: TestClient, files: Path
) -> None:
    text = _message(api, {"path": "../elsewhere.csv"})
    assert str(files) not in text
    assert str(files.parent) not in text
