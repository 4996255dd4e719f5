"""The run folder's paths, spelled in one place."""

from pathlib import Path

from seqimg.runfiles import RunFolder


def test_a_checkpoint_inside_a_run_folder_knows_its_run_and_one_elsewhere_does_not():
    run = RunFolder(Path("runs") / "midi_genre")
    assert RunFolder.holding(run.checkpoint) == run
    assert RunFolder.holding(Path("models") / "midi_genre.pt") is None
