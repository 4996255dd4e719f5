"""report.html: one page to look at and listen to a run, built from report.json and the files
of the run folder. Every link is relative and inside the run folder; nothing is fetched."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from seqimg.evaluate.result import Report
from seqimg.evaluate.tables import (
    classifier_tests,
    controls_rows,
    copying_words,
    example_stems,
    inside_words,
    other_critic_rows,
    readable,
    tested,
    two_sample_rows,
)
from seqimg.evaluate.verdict import THRESHOLDS, verdict
from seqimg.io import write_text
from seqimg.runfiles import CONFIG, REPORT, SKIPPED, RunFolder, figure

QUICK = ("; <b>a quick look</b> (evaluate.level fast: a weaker classifier, no controls); "
         "evaluate again without --fast for the full measures")
PLAYABLE = (".wav", ".ogg", ".flac", ".mp3")  # suffixes a browser's <audio> plays

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.sub { color: #666; } .small { color: #666; font-size: 0.9em; }
.headline { font-size: 1.25em; font-weight: 600; padding: 0.8em 1em; border-radius: 6px; }
.yes { background: #e6f4ea; } .no { background: #fdecea; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
td, th { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.piece { margin: 1.5em 0; } .piece img, .figure img { max-width: 100%; border: 1px solid #eee; }
.players { display: flex; gap: 2em; flex-wrap: wrap; } .players div { min-width: 320px; }
"""


def esc(value) -> str:
    return html.escape(str(value))


def rows(table: list[tuple], header: tuple) -> str:
    """An HTML table; numbers (floats formatted) are right-aligned."""
    def cell(value) -> str:
        if isinstance(value, float) or re.match(r"-?\d", str(value)):
            value = f"{value:.3f}" if isinstance(value, float) else value
            return f'<td class="num">{esc(value)}</td>'
        return f"<td>{esc(value)}</td>"

    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in table)
    return f"<table><tr>{head}</tr>{body}</table>"


def measures_table(r: Report) -> str:
    """Every headline measure with its value and what it means, controls beside."""
    table = [
        ("domain classifier accuracy", r.classifier_accuracy, "how well a classifier trained on "
         "real source and target tells held-out ones apart; below 0.8 no strength can be read"),
        ("transfer strength", readable(r, r.transfer_strength), "share of the outputs' windows "
         "that classifier calls target"),
        ("control: untransferred round trip", readable(r, r.roundtrip_identity_strength),
         "the same for the input written and read by the target codec: what the strength must "
         "beat"),
        ("control: untransferred input", readable(r, r.identity_strength),
         "the same for the input itself"),
        ("real held-out target", readable(r, r.target_strength), "what a perfect transfer "
         "would reach"),
        *((label, tested(test, sized=False), "a fresh classifier telling them from real target, "
           "the median over its seeds (their range); 0.5 = they pass as target")
          for label, test in classifier_tests(r)),
        *((label, value, "a critic of another family, trained fresh (evaluate.critics); the "
          "outputs pass only if every critic is fooled") for label, value in other_critic_rows(r)),
    ]
    table += [(f"copying: {key.replace('_', ' ')}", words, "beside real held-out target "
               "measured the same way") for key, words in copying_words(r).items()]
    for name, score in r.content_similarity.items():
        table.append((f"content kept: {name}", score.normalised, f"normalised: raw {score.raw:.3f} "
                      f"against {score.chance:.3f} between unrelated pieces (0 = chance, 1 = all "
                      "kept)"))
    table += [
        ("Frechet distance to target", r.realism.frechet_to_target, "outputs and real target in "
         "the classifier's embedding; lower is closer"),
        ("control: Frechet, untransferred", r.realism.frechet_roundtrip_source_to_target,
         "the same for the untransferred round trip"),
    ]
    return rows(table, ("measure", "value", "what it means"))


def controls_table(r: Report) -> str:
    header, table = controls_rows(r)
    if not table:
        return ""
    return "<h3>The transfer against rule-made controls</h3>" + rows(table, header)


def two_sample_table(r: Report) -> str:
    """Every two-sample test with its size, p-value and the floor; empty for an old report."""
    header, table, small = two_sample_rows(r)
    if not table:
        return ""
    note = (f"<p class=\"small\">Too small to reject chance at 5%: {esc('; '.join(small))}.</p>"
            if small else "")
    return ("<h3>Two-sample tests: median accuracy over critic seeds (their range), test "
            "windows (n), p-value; the floor is real target against real target</h3>"
            + rows(table, header) + note)


def realism_table(r: Report) -> str:
    table = [(name, s.mean_out, s.mean_target, f"{s.target_p10:.3f} - {s.target_p90:.3f}",
              inside_words(s), s.mean_source)
             for name, s in r.realism.statistics.items()]
    return rows(table, ("statistic", "outputs (mean)", "target (mean)", "target 10-90%",
                        "inside", "source (mean)"))


def playable(run_dir: Path, candidates: list[str]) -> str | None:
    """The first candidate file that exists in the run folder and a browser can play."""
    return next((c for c in candidates
                 if (run_dir / c).is_file() and Path(c).suffix in PLAYABLE), None)


def players(run_dir: Path, stem: str, suffix: str) -> str:
    """<audio> players for a piece's input and transfer: the renders, else the transferred file
    itself when it is audio; nothing when neither exists (series)."""
    sounds = {"input": playable(run_dir, [figure(f"{stem}.input.wav")]),
              "transferred": playable(run_dir, [figure(f"{stem}.transferred.wav"),
                                                f"transferred/{stem}{suffix}"])}
    shown = "".join(f'<div><div>{label}</div><audio controls preload="metadata" '
                    f'src="{esc(src)}"></audio></div>' for label, src in sounds.items() if src)
    return f'<div class="players">{shown}</div>' if shown else ""


def pieces_section(run_dir: Path, r: Report, count: int, suffix: str) -> str:
    """The most and least convincing pieces: picture of input and output, and players."""
    stems = [s for s in example_stems(r, count) if (run_dir / figure(f"piece_{s}.png")).is_file()]
    parts = []
    for index, stem in enumerate(stems):
        end = "most convincing" if index < (len(stems) + 1) // 2 else "least convincing"
        pictures = [p for p in (figure(f"piece_{stem}.input.png"), figure(f"piece_{stem}.png"))
                    if (run_dir / p).is_file()]  # the input alone: a cross-codec pair
        images = "".join(f'<img src="{esc(p)}" alt="{esc(stem)}">' for p in pictures)
        parts.append(f'<div class="piece"><h3>{esc(stem)} <span class="sub">({end}: '
                     f"{r.per_file_strength[stem]:.2f} of its windows classified as target)"
                     f"</span></h3>{images}{players(run_dir, stem, suffix)}</div>")
    return "".join(parts) or '<p class="small">No example pieces were drawn.</p>'


def figure_block(run_dir: Path, relative: str, caption: str) -> str:
    if not (run_dir / relative).is_file():
        return ""
    return (f'<div class="figure"><h3>{esc(caption)}</h3><img src="{esc(relative)}" '
            f'alt="{esc(caption)}"></div>')


@dataclass(frozen=True)
class RunHeading:
    """What the page says of a run besides its report, read from its resolved recipe (the
    mapping config.yaml holds) without building it, so that no method or model is imported."""

    name: str
    source: str  # the source domain
    target: str  # the target domain
    codec: str  # the target's codec
    steps: int  # training steps
    examples: int  # pieces drawn from each end of the ranking

    @classmethod
    def of(cls, config: dict, level: str) -> RunHeading:
        from seqimg.config import build_config
        from seqimg.recipe import EvaluateConfig

        evaluate = build_config(EvaluateConfig, config.get("evaluate"), "evaluate")
        return cls(config["name"], config["source"]["domain"], config["target"]["domain"],
                   config["target"]["codec"]["name"], config["train"]["steps"],
                   evaluate.effective(level).examples)


def html_page(run_dir: Path, r: Report, recipe: RunHeading, target_suffix: str) -> str:
    """The whole page: verdict, measures, example pieces, training curves."""
    said = verdict(r)
    points = "".join(f"<li>{esc(p)}</li>" for p in said.points)
    links = " · ".join(f'<a href="{name}">{name}</a>' for name in
                       (f"{REPORT}.md", f"{REPORT}.json", CONFIG, SKIPPED)
                       if (run_dir / name).is_file())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>seqimg run: {esc(recipe.name)}</title><style>{STYLE}</style></head><body>
<h1>{esc(recipe.name)}: {esc(recipe.source)} &rarr; {esc(recipe.target)}</h1>
<div class="sub">codec {esc(recipe.codec)}, {recipe.steps} training steps on
{r.training.get('processes', 1):g} process(es); {r.counts.get('transferred', 0)} held-out pieces
transferred; {r.skipped_count} files skipped{QUICK if r.level == "fast" else ""}</div>
<h2>Verdict</h2>
<p class="headline {'yes' if said.transferred else 'no'}">{esc(said.headline)}</p>
<ul>{points}</ul><p class="small">{esc(THRESHOLDS)} No single number decides.</p>
<h2>Measures, next to their controls</h2>{measures_table(r)}{controls_table(r)}{two_sample_table(r)}
<h3>Realism: per-piece statistics</h3>{realism_table(r)}
<h2>Listen and look: the most and the least convincing pieces</h2>
{pieces_section(run_dir, r, recipe.examples, target_suffix)}
<h2>Training</h2>
{figure_block(run_dir, figure("training_curves.png"), "Training curves")}
{figure_block(run_dir, figure("metrics.png"), "The measures as bars")}
{figure_block(run_dir, figure("fold_before_after.png"), "One window as the network sees it: before "
        "and after")}
<p class="small">{links}</p>
</body></html>
"""


def write_html(run_dir: Path, report: Report, config: dict) -> Path:
    """Write ``report.html`` into the run folder; ``config`` is the resolved recipe's mapping."""
    from seqimg.registry import codec_class

    heading = RunHeading.of(config, report.level)
    suffix = codec_class(heading.codec).suffixes[0]
    path = RunFolder(Path(run_dir)).report("html")
    write_text(path, html_page(Path(run_dir), report, heading, suffix))
    return path


def rewrite_html(run_dir: Path) -> Path:
    """``report.html`` again from the run folder's config.yaml, report.json and figures,
    without evaluating anything (a config written before a setting moved is read as now)."""
    from seqimg.recipe import written_recipe

    folder = RunFolder(Path(run_dir))
    config = written_recipe(yaml.safe_load(folder.config.read_text(encoding="utf-8")))
    return write_html(folder.root, Report.load(folder.report("json")), config)
