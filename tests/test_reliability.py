"""A run survives what real folders and machines do to it: bad files among good ones, an
unwritable output or cache, a full disk, and being killed."""

import json
import os
import shlex
import signal
import subprocess
import sys

import pytest
import torch
from conftest import run_cli
from test_bad_input import assert_one_line_error, corrupt_files
from test_evaluate import tiny_recipe


def spoil(folder, names):
    """Replace files of ``folder`` by bad ones (truncated, empty, text, garbage) of the same
    names, and return their paths."""
    kept = folder.parent / "bad"
    kept.mkdir(exist_ok=True)
    bad = {p.name: p.read_bytes() for p in corrupt_files(kept)}
    kinds = ["truncated.mid", "empty.mid", "text.mid", "garbage.mid"]
    spoiled = []
    for name, kind in zip(names, kinds * len(names)):
        (folder / name).write_bytes(bad[kind])
        spoiled.append(folder / name)
    return spoiled


def test_a_corpus_with_ten_percent_bad_files_trains_and_reports(tmp_path):
    recipe = tiny_recipe(tmp_path, pieces=20)
    bad = (spoil(tmp_path / "src", ["p3.mid", "p11.mid"])
           + spoil(tmp_path / "tgt", ["p5.mid", "p17.mid"]))
    out = tmp_path / "run"
    result = run_cli("run", str(recipe), "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    recorded = {path: reason for side in json.loads((out / "skipped.json").read_text()).values()
                for path, reason in side.items()}
    assert set(recorded) == {str(p.relative_to(tmp_path)) for p in bad}
    assert all("not a readable MIDI file" in reason for reason in recorded.values())
    assert "Skipped files: 4 " in (out / "report.md").read_text()
    assert json.loads((out / "report.json").read_text())["counts"]["transferred"] > 0


def test_a_corpus_of_only_bad_files_fails_naming_the_folder_and_reasons(tmp_path):
    recipe = tiny_recipe(tmp_path)
    spoil(tmp_path / "tgt", [p.name for p in (tmp_path / "tgt").glob("*.mid")])
    out = tmp_path / "run"
    result = run_cli("run", str(recipe), "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"training files in {tmp_path / 'tgt'} could" in errors[0]
    assert errors[0].count("not a readable MIDI file") == 3 and "and 1 more" in errors[0]
    assert not out.exists()


KILL_RECIPE = """
name: killed
source: {{domain: folder, options: {{path: {src}}}, codec: {{name: midi, height: 8, width: 8}}}}
target: {{domain: folder, options: {{path: {tgt}}}, codec: {{name: midi, height: 8, width: 8}}}}
data: {{heldout_fraction: 0.34}}
method: {{name: dtn, model: {{width: 4, code_dim: 8}}}}
train: {{steps: 60, batch_size: 4, checkpoint_every: 10, log_every: 5}}
evaluate: {{classifier_steps: 10, window: 16, render_audio: false}}
"""


POLLS = 60_000  # looks for the moment to signal, 5 ms apart: a guard against a run that hangs


def run_until(recipe, out, cache, resume, sig=None, when=None):
    """Run the recipe in a subprocess; with ``sig``, send it once ``when(out, cache, stderr_text)``
    holds. Returns the return code, which says whether the signal landed, and the stderr text."""
    args = [sys.executable, "-m", "seqimg", "run", str(recipe), "--out", str(out)]
    log = out.parent / f"{out.name}.log"
    env = {**os.environ, "SEQIMG_CACHE": str(cache)}
    with open(log, "w") as stderr:
        process = subprocess.Popen(args + ["--resume"] * resume, stderr=stderr,
                                   stdout=subprocess.DEVNULL, env=env)
        for _ in range(POLLS if sig else 0):
            if when(out, cache, log.read_text()):
                process.send_signal(sig)
                break
            try:
                process.wait(timeout=0.005)
                break  # finished before ``when`` held: the caller sees return code 0
            except subprocess.TimeoutExpired:
                pass
        process.wait(timeout=300)
    return process.returncode, log.read_text()


def test_a_run_killed_at_every_stage_and_resumed_ends_as_an_uninterrupted_one(tmp_path):
    """SIGKILL while encoding, transferring and evaluating, Ctrl-C while training, and the
    debris a kill during a checkpoint write leaves: each time ``--resume`` continues, and the end
    is the uninterrupted run's weights, outputs and report, bit for bit."""
    recipe = tiny_recipe(tmp_path, pieces=6)
    recipe.write_text(KILL_RECIPE.format(src=tmp_path / "src", tgt=tmp_path / "tgt"))
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert run_until(recipe, whole, tmp_path / "cache-whole", False)[0] == 0

    cache = tmp_path / "cache-killed"
    stages = [
        (signal.SIGKILL, lambda out, cache, log: any(cache.glob("shards/*/shard-*.json"))),
        (signal.SIGINT, lambda out, cache, log: (out / "checkpoints" / "last.pt").exists()),
        (signal.SIGKILL, lambda out, cache, log: any((out / "transferred").glob("*.mid"))),
        (signal.SIGKILL, lambda out, cache, log: "evaluation (full):" in log),
    ]
    for i, (sig, when) in enumerate(stages):
        code, log = run_until(recipe, killed, cache, i > 0, sig, when)
        if sig == signal.SIGINT:
            again = shlex.join([sys.executable, "-m", "seqimg", "run", str(recipe), "--out",
                                str(killed), "--resume"])
            saved = torch.load(killed / "checkpoints" / "last.pt", weights_only=True)["step"]
            assert code == 130 and f"continue with: {again}" in log, log
            assert f"the checkpoint of step {saved} is saved" in log, log
            # what a kill in the middle of a checkpoint write leaves beside the checkpoint
            (killed / "checkpoints" / ".last.partial.pt").write_bytes(b"PK\x03\x04 half")
        else:
            assert code == -signal.SIGKILL, (i, code, log[-2000:])
    code, log = run_until(recipe, killed, cache, True)
    assert code == 0, log[-2000:]

    final = [torch.load(run / "checkpoints" / "last.pt", weights_only=True) for run in
             (whole, killed)]
    assert final[0]["step"] == final[1]["step"] == 60
    for key, value in final[0]["weights"].items():
        assert torch.equal(value, final[1]["weights"][key]), key
    for name in ("report.json", "split.json"):
        assert (whole / name).read_text() == (killed / name).read_text(), name
    outputs = sorted(p.name for p in (whole / "transferred").iterdir())
    assert outputs == sorted(p.name for p in (killed / "transferred").iterdir())
    for name in outputs:
        assert (whole / "transferred" / name).read_bytes() == \
            (killed / "transferred" / name).read_bytes()


def test_an_out_folder_that_cannot_be_written_fails_before_any_work(tmp_path):
    recipe = tiny_recipe(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("run", str(recipe), "--out", str(blocker / "run"))
    assert_one_line_error(result, blocker / "run")
    assert f"({blocker} is a file)" in result.stderr and blocker.read_text() == "not a folder"


def test_a_read_only_out_folder_is_one_line(tmp_path, monkeypatch):
    """Read-only as the file system says it (simulated: the tests may run as root, whom
    permissions do not stop)."""
    import errno
    import tempfile

    from seqimg.errors import SeqimgError
    from seqimg.io import check_writable

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), kwargs.get("dir"))

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    with pytest.raises(SeqimgError, match=r"run: the run folder cannot be written there "
                                          r"\(Read-only file system\)"):
        check_writable(tmp_path / "run", "the run folder")


def test_an_unwritable_cache_is_one_line_and_creates_no_run(tmp_path):
    recipe = tiny_recipe(tmp_path)
    blocker = tmp_path / "cache-file"
    blocker.write_text("")
    out = tmp_path / "run"
    env = {**os.environ, "SEQIMG_CACHE": str(blocker / "cache")}
    result = subprocess.run([sys.executable, "-m", "seqimg", "run", str(recipe), "--out",
                             str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert_one_line_error(result, blocker / "cache")
    assert "the encoding cache (SEQIMG_CACHE) cannot be created there" in result.stderr
    assert not out.exists()


def test_a_full_disk_during_a_checkpoint_keeps_the_previous_one(tmp_path, monkeypatch):
    """The second checkpoint write runs out of space half-way: one error naming the file, the
    first checkpoint intact, no partial file left."""
    import errno

    from conftest import dtn_trainer
    from test_dtn import toy_images

    from seqimg import checkpoint as checkpoints
    from seqimg.errors import SeqimgError

    real_save, calls = torch.save, []

    def filling_disk(obj, handle):
        calls.append(1)
        if len(calls) == 1:
            return real_save(obj, handle)
        handle.write(b"PK\x03\x04 half a checkpoint")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(checkpoints.torch, "save", filling_disk)
    shape = (1, 8, 8)
    trainer = dtn_trainer(toy_images(8, shape, False, 1), toy_images(8, shape, True, 2),
                          steps=4, batch_size=2, checkpoint_every=2)
    path = tmp_path / "checkpoints" / "last.pt"
    with pytest.raises(SeqimgError, match=r"last.pt: cannot be written \(No space left on device\)"
                                          r"; what was there before is kept"):
        trainer.fit(path, progress=False)
    assert checkpoints.load(path).state["step"] == 2
    assert sorted(p.name for p in path.parent.iterdir()) == ["last.pt"]


def test_a_damaged_cache_shard_is_encoded_again(tmp_path, monkeypatch, melody_mid):
    from seqimg.codecs.midi import MidiCodec
    from seqimg.prepare import prepare_files

    monkeypatch.setenv("SEQIMG_CACHE", str(tmp_path / "cache"))
    codec = MidiCodec()
    first = prepare_files(codec, [melody_mid], {}, workers=1)
    [shard] = first.folder.glob("shard-*.bin")
    shard.write_bytes(shard.read_bytes()[:100])
    again = prepare_files(codec, [melody_mid], {}, workers=1)
    assert again.encoded == 1
    assert (again.reader.rows(again.entries[melody_mid]) == codec.frames(melody_mid)).all()


def test_a_folder_held_by_a_live_run_is_refused_and_a_killed_runs_lock_taken_over(tmp_path):
    from seqimg.errors import SeqimgError
    from seqimg.runlock import run_lock

    out = tmp_path / "run"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from seqimg.runlock import run_lock\n"
         f"with run_lock(Path({str(out)!r})):\n    print('held', flush=True); time.sleep(300)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(SeqimgError, match=rf"^{out}: another run is using this folder "
                           rf"\(process {holder.pid}\); wait for it to end"):
            with run_lock(out):
                pass
        recipe = tiny_recipe(tmp_path)
        refused = run_cli("run", str(recipe), "--out", str(out))
        assert refused.returncode == 1 and f"(process {holder.pid})" in refused.stderr
    finally:
        holder.kill()
        holder.wait()
    with run_lock(out):  # the killed holder's lock file is still there; the lock is not
        pass
