"""report.html opened in headless Chromium: it shows something, every picture and sound it
links loads, nothing is fetched from outside the run folder, and the browser logs no error."""

import json
import os
import re
import shutil

import numpy as np
import pytest
from conftest import MELODY, need, run_cli, write_midi

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
LOADED_MEDIA = """() => Promise.all([...document.querySelectorAll('audio')].map(a =>
    a.readyState >= 1 ? 'ok' : new Promise(done => {
        a.addEventListener('loadedmetadata', () => done('ok'));
        a.addEventListener('error', () => done('broken: ' + a.getAttribute('src')));
        a.load();
    })))"""
BROKEN_IMAGES = """() => [...document.images]
    .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))"""


@pytest.fixture(scope="module")
def evaluated_run(tmp_path_factory):
    """A 4-step MIDI run, evaluated quickly, with audio renders of one piece from each end."""
    need("fluidsynth")
    root = tmp_path_factory.mktemp("page")
    for side, shift in (("src", 0), ("tgt", -12)):
        (root / side).mkdir()
        for i in range(6):
            write_midi(root / side / f"p{i}.mid", [(p + shift + i, s, e) for p, s, e in MELODY * 2])
    recipe = root / "r.yaml"
    recipe.write_text("""
name: page
source: {domain: folder, options: {path: src}, codec: {name: midi, height: 8, width: 8}}
target: {domain: folder, options: {path: tgt}, codec: {name: midi, height: 8, width: 8}}
data: {heldout_fraction: 0.34}
method: {name: dtn, model: {width: 4, code_dim: 8}}
train: {steps: 4, batch_size: 4}
evaluate: {classifier_steps: 20, window: 16, examples: 1, controls: [sixteenths]}
""")
    out = root / "run"
    result = run_cli("run", str(recipe), "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "report: " in result.stdout  # after the verdict's headline
    assert re.search(r"^(Not a transfer yet|It transferred)", result.stdout, re.MULTILINE)
    return out


def test_the_page_links_only_files_inside_the_run_folder(evaluated_run):
    page = (evaluated_run / "report.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert links and all(not re.match(r"[a-z]+:|/|\.\.", link) for link in links), links
    assert all((evaluated_run / link).is_file() for link in links)
    assert page.count("<audio") == 4  # input and transfer of the most and least convincing
    assert "Verdict" in page.split("Measures")[0]  # the verdict comes first


def test_the_page_opens_in_chromium_with_every_picture_and_sound(evaluated_run, tmp_path):
    need("chromium")
    from matplotlib.image import imread
    from playwright.sync_api import sync_playwright

    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
        page.goto((evaluated_run / "report.html").as_uri(), wait_until="load")
        broken = page.evaluate(BROKEN_IMAGES)
        media = page.evaluate(LOADED_MEDIA)
        shot = tmp_path / "page.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert broken == [] and errors == []
    assert media == ["ok"] * 4
    pixels = imread(shot)[..., :3]
    assert pixels.shape[0] > 900 and np.std(pixels) > 0.05  # a long page, not a blank one


def test_report_rewrites_the_page_without_evaluating(evaluated_run):
    page = evaluated_run / "report.html"
    page.unlink()
    result = run_cli("report", str(evaluated_run))
    assert result.returncode == 0, result.stderr
    assert page.is_file() and "Listen and look" in page.read_text(encoding="utf-8")


def test_a_moved_run_folder_names_no_old_path_and_re_renders(evaluated_run, tmp_path):
    moved = tmp_path / "elsewhere" / "run"
    shutil.copytree(evaluated_run, moved)
    for name in ("split.json", "skipped.json", "report.json", "report.md", "report.html",
                 "config.yaml"):
        assert str(evaluated_run) not in (moved / name).read_text(encoding="utf-8"), name
    split = json.loads((moved / "split.json").read_text())
    assert split["data_root"] == str(evaluated_run.parent)
    assert not any(os.path.isabs(f) for side in ("source", "target")
                   for part in ("train", "heldout") for f in split[side][part])
    (moved / "report.html").unlink()
    result = run_cli("report", str(moved))
    assert result.returncode == 0, result.stderr
    page = (moved / "report.html").read_text(encoding="utf-8")
    assert "Listen and look" in page and str(evaluated_run) not in page
    assert all((moved / src).is_file() for src in re.findall(r'src="([^"]+)"', page))


def test_fast_evaluation_is_a_marked_quick_look(evaluated_run):
    """Runs last in this module: it replaces the full report with a quick one."""
    result = run_cli("evaluate", str(evaluated_run), "--fast")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((evaluated_run / "report.json").read_text())
    assert report["level"] == "fast" and report["controls"] == {}
    assert "A quick look" in (evaluated_run / "report.md").read_text()
    assert "a quick look" in (evaluated_run / "report.html").read_text(encoding="utf-8")
    assert "evaluation (fast)" in result.stderr
