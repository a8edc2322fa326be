"""A deterministic demo workspace of a believable B2B seller (see docs/demo-data.md)."""

from buyermap.demo.generator import DemoPlan, DemoSummary, build_demo, plan_demo
from buyermap.demo.wipe import wipe_workspace, workspace_has_data

__all__ = [
    "DemoPlan",
    "DemoSummary",
    "build_demo",
    "plan_demo",
    "wipe_workspace",
    "workspace_has_data",
]
