"""``seqimg sweep``: one run per value of a setting, a table and a figure, resumable."""

from conftest import run_cli
from test_evaluate import tiny_recipe

from seqimg.errors import SeqimgError
from seqimg.sweep import parse_vary, sweep_points


def test_vary_parses_typed_values_and_refuses_a_single_one():
    assert parse_vary("losses.const_weight=1, 3,10.5") == ("losses.const_weight", [1, 3, 10.5])
    assert parse_vary("model.edit=true,false") == ("model.edit", [True, False])
    for bad in ("losses.const_weight=3", "losses.const_weight", "x=1,,2", "=1,2"):
        try:
            parse_vary(bad)
        except SeqimgError as exc:
            assert "dotted.key=v1,v2" in str(exc)
        else:
            raise AssertionError(f"{bad!r} was accepted")
    assert sweep_points(["a.x=1,2", "b.y=3,4"]) == [{"a.x": 1, "b.y": 3}, {"a.x": 2, "b.y": 4}]
    try:
        sweep_points(["a.x=1,2", "b.y=3,4,5"])
    except SeqimgError as exc:
        assert "different numbers of values (a.x: 2, b.y: 3)" in str(exc)
    else:
        raise AssertionError("unequal lengths were accepted")


def test_sweep_runs_each_point_once_and_tabulates_them_beside_the_controls(tmp_path):
    recipe, out = tiny_recipe(tmp_path), tmp_path / "sweep"
    bad = run_cli("sweep", str(recipe), "--vary", "train.steps=2,many", "--out", str(out))
    assert bad.returncode == 1 and "train.steps: expected int, got 'many'" in bad.stderr
    assert "Traceback" not in bad.stderr and not out.exists()  # checked before any run
    vary = ["--vary", "method.losses.tid_weight=0,15", "--vary", "method.losses.const_weight=1,15"]
    result = run_cli("sweep", str(recipe), *vary, "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == [
        "sweep.json", "sweep.md", "sweep.png", "tid_weight=0_const_weight=1",
        "tid_weight=15_const_weight=15"]
    rows = (out / "sweep.md").read_text().splitlines()
    assert rows[0].startswith("| method.losses.tid_weight, method.losses.const_weight | "
                              "transfer strength | content kept (chroma")
    assert [r.split(" |")[0] for r in rows[2:]] == [
        "| 0, 1", "| 15, 15", "| untransferred (control)", "| sixteenths (control)",
        "| power_chords (control)"]
    config = (out / "tid_weight=0_const_weight=1" / "config.yaml").read_text()
    assert "tid_weight: 0" in config and "const_weight: 1" in config
    report = out / "tid_weight=15_const_weight=15" / "report.json"
    before = report.stat().st_mtime_ns
    again = run_cli("sweep", str(recipe), *vary, "--out", str(out))
    assert again.returncode == 0 and report.stat().st_mtime_ns == before  # not run again
