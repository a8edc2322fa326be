"""A tiny hand-written stage history and a small synthetic one, written as CSV files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from buyermap.analytics.pipeline.synth import TrueModel, generate

# A: won via Demo; B: lost at Demo (price); C: lost at Lead (timing);
# D: open in Lead since 02-01; E: open in Demo since 02-05. Read as of 2025-02-10.
TINY = """deal_id,stage,changed_at,amount,segment,owner,lost_reason
A,Lead,2025-01-01,100,smb,ana,
A,Demo,2025-01-11,,smb,ana,
A,closed won,2025-01-21,120,smb,ana,
B,Lead,2025-01-01,200,ent,ben,
B,Demo,2025-01-06,200,ent,ben,
B,Closed Lost,2025-01-16,200,ent,ben,price
C,Lead,2025-01-01,300,smb,ben,
C,Closed Lost,2025-01-31,300,smb,ben,timing
D,Lead,2025-02-01,400,ent,ana,
E,Lead,2025-02-01,500,smb,ana,
E,Demo,2025-02-05,500,smb,ana,
"""

SMALL_MODEL = TrueModel(deals_per_week=15.0)


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "history.csv"
    generate(SMALL_MODEL, start=datetime(2023, 1, 1), end=datetime(2024, 7, 1), seed=3).write_csv(
        path
    )
    return path
