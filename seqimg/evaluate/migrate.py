"""Reports written before each test became one record: their flat two-sample fields (one
accuracy per critic, sizes and p-values beside, the controls' copies of them, a flat copying
dictionary) read into the current layout with their numbers unchanged, each a test of one
seed. One function, so that ``seqimg report``, ``seqimg models`` and the page read old run
folders and cards as new ones."""

from __future__ import annotations

from seqimg.evaluate.subjects import FLOOR, OUTPUTS, RESYNTHESISED, UNTRANSFERRED, control_subject

FLAT = ("two_sample_accuracy", "two_sample_roundtrip_source", "two_sample_resynthesised_target",
        "two_sample_critics", "two_sample_roundtrip_critics", "two_sample_n", "two_sample_p",
        "two_sample_roundtrip_n", "two_sample_roundtrip_p", "two_sample_floor",
        "two_sample_floor_n", "two_sample_floor_p")
OLD_CLASSIFIER = "classifier"  # the name of a test from before the critics, whatever its family


def one_seed(accuracies: dict, sizes: dict | None = None, p_values: dict | None = None) -> dict:
    """``{critic: test}`` from one accuracy per critic and, where they were kept, each test's
    size and p-value (``None`` and NaN where they were not)."""
    sizes, p_values = sizes or {}, p_values or {}
    return {name: {"accuracy": value, "n": sizes.get(name), "p": p_values.get(name, float("nan")),
                   "range": [value, value], "seeds": [value]}
            for name, value in accuracies.items()}


def flat_tests(data: dict) -> dict:
    """The ``tests`` of a flat report: outputs, the untransferred round trip, the floor, the
    ceiling (by the classifier's family) and each control."""
    outputs = data.get("two_sample_critics") or {OLD_CLASSIFIER: data["two_sample_accuracy"]}
    first = next(iter(outputs))
    tests = {
        OUTPUTS: one_seed(outputs, data.get("two_sample_n"), data.get("two_sample_p")),
        UNTRANSFERRED: one_seed(
            data.get("two_sample_roundtrip_critics")
            or {OLD_CLASSIFIER: data["two_sample_roundtrip_source"]},
            data.get("two_sample_roundtrip_n"), data.get("two_sample_roundtrip_p")),
        FLOOR: one_seed(data.get("two_sample_floor", {}), data.get("two_sample_floor_n"),
                          data.get("two_sample_floor_p")),
    }
    if data.get("two_sample_resynthesised_target") is not None:
        tests[RESYNTHESISED] = one_seed({first: data["two_sample_resynthesised_target"]})
    for name, control in data.get("controls", {}).items():
        tests[control_subject(name)] = one_seed(
            control.get("two_sample_critics") or {OLD_CLASSIFIER: control["two_sample"]},
            control.get("two_sample_n"), control.get("two_sample_p"))
    return {subject: found for subject, found in tests.items() if found}


def flat_copying(data: dict) -> dict:
    """The ``copying`` of a flat report: the outputs' and each control's (no baseline then)."""
    copied = {OUTPUTS: data.get("copying", {}),
              **{control_subject(name): control.get("copying", {})
                 for name, control in data.get("controls", {}).items()}}
    return {subject: values for subject, values in copied.items() if values}


def current(data: dict) -> dict:
    """A report's dictionary in the current layout; one already current is returned as is."""
    if "tests" in data:
        return data
    controls = {name: {k: control[k] for k in ("strength", "content", "statistics")}
                for name, control in data.get("controls", {}).items()}
    return {**{k: v for k, v in data.items() if k not in FLAT},
            "tests": flat_tests(data), "copying": flat_copying(data), "controls": controls}
