"""The subjects a report measures: its tests and copying are keyed by these names (the outputs,
the untransferred round trip, the floor, the resynthesised target, the real baseline, each
control), shared by the report, its migration from older layouts and its readers."""

from __future__ import annotations

OUTPUTS, UNTRANSFERRED, FLOOR, RESYNTHESISED = "outputs", "untransferred", "floor", "resynthesised"
BASELINE = "baseline"  # copying only: real held-out target against the training pieces
UNTRANSFERRED_LABEL = "the untransferred round trip"  # how the pages name that control


CONTROL = "control:"  # the prefix of a control's subject


def control_subject(name: str) -> str:
    """The key of a control's two-sample tests and copying in a report."""
    return f"{CONTROL}{name}"
