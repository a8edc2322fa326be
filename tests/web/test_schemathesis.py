"""Property-based testing of the REST API against its own OpenAPI spec (schemathesis).

In process (ASGI), on a small seeded SQLite workspace. Every operation gets
``MAX_EXAMPLES`` generated cases that fit the spec and ``MAX_EXAMPLES`` that do not; each
response must be no server error and conform to the spec (status code, media type, body
schema). The total number of cases is printed (``-s``) and asserted to be the whole budget.
``BUYERMAP_SCHEMATHESIS_EXAMPLES`` changes the budget per operation and mode.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.case import Case
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from buyermap.services.workspace import Workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app
from tests.conftest import opened_workspace
from tests.web.factories import seed_sales

MAX_EXAMPLES = int(os.environ.get("BUYERMAP_SCHEMATHESIS_EXAMPLES", "40"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    directory = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite:///{directory / 'api.db'}"
    with opened_workspace(url) as workspace:
        with workspace.sessions() as session, session.begin():
            seed_sales(session)
        yield _schema(url, workspace, directory)


def _schema(url: str, workspace: Workspace, directory: Path) -> Any:
    app = create_app(Settings(database_url=url, files_root=directory), workspace=workspace)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_answers_every_generated_request_within_its_spec(
    api_schema: Any, mode: GenerationMode
) -> None:
    failures: list[str] = []
    cases = 0
    for operation in _operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Case[Any]) -> None:
            nonlocal cases
            cases += 1
            case.call_and_validate(checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            # nothing invalid to send (no parameters, or only free-text ones)
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    print(
        f"schemathesis {mode.value}: {cases} cases over {len(_operations(api_schema))} operations"
    )
    assert not failures, "\n\n".join(failures)
