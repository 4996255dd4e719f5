"""The ``seqimg`` command line: parses, calls the library, prints. Errors are one line."""

from __future__ import annotations

import functools
import json
import logging
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Optional

import typer

from seqimg.config import parse_assignment
from seqimg.errors import SeqimgError, one_line
from seqimg.text import plural

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="Fold sequences into images and carry them between domains.")

OptionList = Optional[list[str]]


def friendly(command: Callable) -> Callable:
    """Turn user-facing errors into one line on stderr and exit code 1 (130 on Ctrl-C)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        logging.getLogger("faiss").setLevel(logging.WARNING)  # which CPU build it loads
        try:
            return command(*args, **kwargs)
        except SeqimgError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        except BrokenPipeError:  # the reader went away (| head): stop quietly, as cat does
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except OSError as exc:  # a system error no seqimg writer expected, still on one line
            where = f"{exc.filename}: " if exc.filename else ""
            typer.echo(f"error: {where}{exc.strerror or one_line(exc)}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted: files already written are complete and kept", err=True)
            raise typer.Exit(130) from None

    return wrapper


def echo_verdict(report, folder: Path) -> None:
    """The verdict's headline of an evaluated run and where its report is."""
    from seqimg.evaluate.verdict import verdict
    from seqimg.runfiles import RunFolder

    typer.echo(verdict(report).headline)
    typer.echo(f"report: {RunFolder(folder).report('html')} (and report.md)")


def parse_assignments(items: OptionList) -> dict:
    """``key=value`` strings to a dict; values are read as YAML scalars (``4``, ``true``, ...)."""
    return dict(parse_assignment(item) for item in items or [])


def echo_plugins(plugins: dict, describe) -> None:
    """One line per plugin: its name (padded to the longest), its origin, ``describe(obj)``."""
    width = max([12, *map(len, plugins)])
    for plugin in plugins.values():
        typer.echo(f"{plugin.name:{width}s} {plugin.origin:22s} {describe(plugin.obj)}")


@app.command()
@friendly
def codecs(options: Optional[str] = typer.Option(None, "--options", metavar="NAME",
                                                help="Print codec NAME's options instead.")
           ) -> None:
    """List available codecs: name, origin, suffixes and description; or one codec's options
    with their types, defaults and meanings."""
    from seqimg.registry import codec_class, list_codecs

    if options:
        from seqimg.reference import options as config_options

        cls = codec_class(options)
        typer.echo(f"{options} ({' '.join(cls.suffixes)}): {cls.description}")
        if cls.round_trip:
            typer.echo(f"a round trip {cls.round_trip}")
        for row in config_options(cls.config_class):
            typer.echo(f"  {row.name} ({row.type}, default {row.default})"
                       + (f": {row.meaning}" if row.meaning else ""))
        return
    echo_plugins(list_codecs(), lambda codec: f"{' '.join(codec.suffixes):20s} "
                 f"{codec.description}")


@app.command()
@friendly
def methods(options: Optional[str] = typer.Option(None, "--options", metavar="NAME",
                                                 help="Print method NAME's settings instead.")
            ) -> None:
    """List transfer methods: name, origin and description; or one method's settings with
    their types, defaults and meanings."""
    from seqimg.registry import loaded, lookup

    if options:
        from seqimg.reference import nested_options

        cls = lookup("methods", options)
        typer.echo(f"{options}: {cls.description}")
        for row in nested_options(cls.config_class):
            typer.echo(f"  {row.name} ({row.type}, default {row.default})"
                       + (f": {row.meaning}" if row.meaning else ""))
        return
    echo_plugins(loaded("methods"), lambda method: method.description)


@app.command()
@friendly
def critics() -> None:
    """List the two-sample critics (evaluate.critics): name, origin and what each reads."""
    from seqimg.registry import loaded

    echo_plugins(loaded("critics"), lambda critic: critic.description)


@app.command()
@friendly
def reference(out: Optional[Path] = typer.Option(None, help="Write the page here (e.g. "
                                                 "docs/reference.md) instead of printing it.")
              ) -> None:
    """The reference of every recipe key, domain option and codec option, generated from the
    code."""
    from seqimg.io import write_text
    from seqimg.reference import reference_markdown

    page = reference_markdown()
    if out is None:
        typer.echo(page, nl=False)
        return
    write_text(out, page)
    typer.echo(f"wrote {out}")


@app.command()
@friendly
def encode(
    file: Path = typer.Argument(..., help="Input file (MIDI, audio, CSV/.npy ...)."),
    codec: Optional[str] = typer.Option(None, help="Codec name or module:Class (default: the "
                                        "one whose suffixes include FILE's)."),
    out: Path = typer.Option(..., help="OUT.npy (windows, shape (N, C, H, W)) or OUT.png."),
    option: OptionList = typer.Option(None, "--option", "-o", help="Codec setting key=value."),
) -> None:
    """Encode FILE into folded windows (.npy with a .json description) or a picture (.png)."""
    from seqimg.transcode import encode_file, save_encoded

    if out.suffix not in (".npy", ".png"):
        raise SeqimgError(f"{out}: --out must end in .npy or .png")
    codec, instance, encoded = encode_file(file, codec, parse_assignments(option))
    if out.suffix == ".png":
        from seqimg.plots import save_windows_png

        save_windows_png(encoded.images, out)
    else:
        save_encoded(out, file, codec, instance, encoded)
    typer.echo(f"{file} -> {out}: {plural(len(encoded.images), 'window')} of shape "
               f"{tuple(encoded.images.shape[1:])}, {plural(encoded.length, 'step')} "
               f"({codec} codec)")
    if encoded.length < instance.layout.window_length:
        typer.echo(f"note: {file} is shorter than one window ({encoded.length} of "
                   f"{instance.layout.window_length} steps); the window is padded with "
                   f"{instance.pad_value:g} after its end, which decoding drops")


@app.command()
@friendly
def decode(
    file: Path = typer.Argument(..., help="Windows saved by 'seqimg encode' (.npy)."),
    codec: str | None = typer.Option(None, help="Codec (default: the one that encoded)."),
    out: Path = typer.Option(..., help="Output file (.mid, .wav, .csv ...)."),
    option: OptionList = typer.Option(None, "--option", "-o", help="Codec setting key=value."),
) -> None:
    """Decode windows back into a file, with the settings stored beside them by 'encode'."""
    from seqimg.transcode import decode_file

    written = decode_file(file, codec, parse_assignments(option), out)
    typer.echo(f"{file} -> {written}")


def invoked_as() -> list[str]:
    """The words that started this program, as typed: ``.venv/bin/seqimg``, or the interpreter
    and ``-m seqimg``."""
    if Path(sys.argv[0]).name == "__main__.py":
        return sys.orig_argv[: len(sys.orig_argv) - len(sys.argv) + 1]
    return [sys.argv[0]]


@app.command()
@friendly
def run(
    recipe: Path = typer.Argument(..., help="Recipe YAML, e.g. recipes/midi_genre.yaml."),
    out: Optional[Path] = typer.Option(None, help="Run folder (default: runs/<recipe name>)."),
    set_: OptionList = typer.Option(None, "--set", help="Override: dotted.key=value."),
    resume: bool = typer.Option(False, help="Continue the run in --out from its checkpoint."),
    fast: bool = typer.Option(False, help="A quick evaluation: --set evaluate.level=fast."),
) -> None:
    """Run a recipe: data, training, transfer of held-out pieces, evaluation, report."""
    from seqimg.recipe import load_recipe

    if fast:
        set_ = [*(set_ or []), "evaluate.level=fast"]
    loaded = load_recipe(recipe, set_)  # a bad recipe fails here, before any data is read
    from seqimg.run import run as run_recipe

    folder = out or Path("runs") / recipe.stem
    try:
        run_recipe(loaded, folder, resume=resume)
    except KeyboardInterrupt as exc:
        sets = [word for item in set_ or [] for word in ("--set", item)]
        again = shlex.join([*invoked_as(), "run", str(recipe), "--out", str(folder), *sets,
                            "--resume"])
        step = getattr(exc, "saved_step", None)
        saved = f"the checkpoint of step {step} is saved; " if step is not None else ""
        typer.echo(f"interrupted: {saved}what was written is complete and kept; continue "
                   f"with: {again}", err=True)
        raise typer.Exit(130) from None
    from seqimg.runfiles import RunFolder

    report = RunFolder(folder).report("json")
    if report.is_file():
        from seqimg.evaluate.result import Report

        echo_verdict(Report.load(report), folder)
    typer.echo(f"run folder: {folder}")


@app.command()
@friendly
def prepare(
    recipe: Path = typer.Argument(..., help="Recipe YAML, e.g. recipes/midi_genre.yaml."),
    workers: Optional[int] = typer.Option(None, help="Encoding processes (default: "
                                          "data.workers, else the cores available)."),
    set_: OptionList = typer.Option(None, "--set", help="Override: dotted.key=value."),
) -> None:
    """Encode a recipe's training files into the shard cache that 'seqimg run' reads; files
    already there are not encoded again, so an interrupted prepare resumes."""
    from seqimg.recipe import load_recipe

    loaded = load_recipe(recipe, set_)
    if workers is not None and workers < 1:
        raise SeqimgError(f"--workers: expected at least 1, got {workers}")
    from seqimg.data import prepare_recipe

    # the summary below lists the skipped files once; no line per file while encoding
    for name in ("seqimg.data", "seqimg.prepare"):
        logging.getLogger(name).setLevel(logging.ERROR)
    for where, side in prepare_recipe(loaded, workers).items():
        typer.echo(f"{where}: {side.files} training files, {side.encoded} encoded now, "
                   f"{side.cached} from the cache, {len(side.skipped)} skipped; "
                   f"{side.shard_bytes / 1e6:.1f} MB of shards in {side.folder}")
        reasons = list(side.skipped.values())
        for reason in reasons[:5]:
            typer.echo(f"  skipped: {reason}")
        if len(reasons) > 5:
            typer.echo(f"  and {len(reasons) - 5} more skipped files")


@app.command()
@friendly
def sweep(
    recipe: Path = typer.Argument(..., help="Recipe YAML, e.g. recipes/midi_genre.yaml."),
    vary: list[str] = typer.Option(..., help="A swept setting, dotted.key=v1,v2,...; "
                                   "repeat it for settings that move together (values zipped)."),
    out: Optional[Path] = typer.Option(None, help="Sweep folder (default: runs/<recipe>_sweep)."),
    set_: OptionList = typer.Option(None, "--set", help="Fixed override: dotted.key=value."),
) -> None:
    """Run a recipe at several values of a setting and draw the trade-off (strength, content
    kept, two-sample accuracy) beside the controls; finished points are not run again."""
    from seqimg.sweep import sweep as run_sweep

    folder = out or Path("runs") / f"{recipe.stem}_sweep"
    points = run_sweep(recipe, folder, vary, set_)
    typer.echo(f"{len(points)} points; table {folder / 'sweep.md'}, figure {folder / 'sweep.png'}")


@app.command()
@friendly
def transfer(
    inputs: list[Path] = typer.Argument(..., help="A checkpoint written by 'seqimg run', then "
                                        "the source-domain files to transfer (only the files "
                                        "with --model)."),
    out: Path = typer.Option(..., help="Folder for outputs (same names as the inputs)."),
    model: Optional[str] = typer.Option(None, help="A shipped model instead of a checkpoint "
                                        "(see seqimg models), e.g. midi_genre."),
    set_: OptionList = typer.Option(None, "--set", help="A transfer-time setting of the "
                                    "method, e.g. method.t0=0.7 (see seqimg methods --options)."),
) -> None:
    """Transfer whole files with a trained method: windows through it, then stitched."""
    from seqimg.pipeline import load_transfer

    if model is None:
        checkpoint, *files = inputs
        if not files:
            raise SeqimgError("transfer: name the files to transfer after the checkpoint (or "
                              "use --model NAME for a shipped model)")
    else:
        from seqimg.shipped import model_path

        checkpoint, files = model_path(model), inputs
    pair = load_transfer(checkpoint, set_)
    skipped = pair.files(files, out)  # each skipped file is logged with its reason
    typer.echo(f"transferred {len(files) - len(skipped)} of {len(files)} files into {out}")
    if skipped:
        raise typer.Exit(1)


@app.command()
@friendly
def models() -> None:
    """The models shipped with seqimg, each with its card: recipe, data, training, commit, what
    its run measured (every critic and the controls) and what it does not do yet."""
    from seqimg.shipped import shipped

    cards = shipped()
    if not cards:
        typer.echo("no shipped models (make model writes the default recipe's)")
    for card in cards.values():
        typer.echo("\n".join(card.lines()))


@app.command()
@friendly
def serve(
    checkpoint: Optional[list[Path]] = typer.Option(None, help="A checkpoint to offer beside "
                                                    "the shipped models (repeatable)."),
    host: str = typer.Option("127.0.0.1", help="Address to bind; the default is this "
                             "machine only."),
    port: int = typer.Option(8000, help="Port to listen on."),
    max_upload: int = typer.Option(5, help="Largest upload in MB."),
) -> None:
    """A local page to hear a transfer (and POST /api/transfer, GET /api/models)."""
    from seqimg.runfiles import RunFolder
    from seqimg.serve import serve as run_server
    from seqimg.shipped import model_path, shipped

    models = {name: model_path(name) for name in shipped()}
    for path in checkpoint or []:
        if not path.is_file():
            raise SeqimgError(f"{path}: no such checkpoint")
        run = RunFolder.holding(path)
        models[run.root.name if run else path.stem] = path
    if not models:
        raise SeqimgError("serve: no shipped model and no --checkpoint to offer")
    if max_upload < 1:
        raise SeqimgError(f"--max-upload: expected 1 MB or more, got {max_upload}")
    typer.echo(f"serving {', '.join(models)} on http://{host}:{port}/ (Ctrl-C stops)")
    run_server(models, host, port, max_upload * 1024 * 1024)


@app.command()
@friendly
def ship(run_dir: Path = typer.Argument(..., help="An evaluated run folder."),
         name: str = typer.Option(..., help="The model's name, e.g. midi_genre."),
         out: Optional[Path] = typer.Option(None, help="Folder for NAME.pt and NAME.json "
                                            "(default: the package's models folder)."),
         ) -> None:
    """Write a run's model as a shipped model: half-precision weights and its card."""
    from seqimg.shipped import MODELS, ship

    card = ship(run_dir, name, out or MODELS)
    typer.echo("\n".join(card.lines()))


@app.command()
@friendly
def evaluate(run_dir: Path = typer.Argument(..., help="A run folder written by 'seqimg run'."),
             fast: bool = typer.Option(False, help="A quick look: evaluate.level fast."),
             ) -> None:
    """Recompute report.json, report.md, report.html and the figures of a run folder."""
    from seqimg.evaluate.pipeline import evaluate_run

    echo_verdict(evaluate_run(run_dir, level="fast" if fast else None), run_dir)


@app.command()
@friendly
def report(run_dir: Path = typer.Argument(..., help="A run folder written by 'seqimg run'."),
           open_: bool = typer.Option(False, "--open", help="Open the page in a browser."),
           ) -> None:
    """Write report.html of an evaluated run again (from report.json and the figures, without
    evaluating), and open it."""
    from seqimg.evaluate.html import rewrite_html

    page = rewrite_html(run_dir)
    typer.echo(f"wrote {page}")
    if open_:
        import webbrowser

        if not webbrowser.open(page.resolve().as_uri()):
            typer.echo(f"no browser found here; open {page.resolve().as_uri()} yourself")


@app.command("receptive-field")
@friendly
def receptive_field(
    recipe: Optional[Path] = typer.Option(None, help="Analyse the f and D a recipe builds."),
    checkpoint: Optional[Path] = typer.Option(None, help="Analyse a trained model (and its "
                                              "effective receptive field)."),
    height: int = typer.Option(7, help="Fold height H (without a recipe or checkpoint)."),
    width: int = typer.Option(7, help="Fold width W."),
    steps_per_pixel: int = typer.Option(1, help="Time steps per pixel k."),
    kernel: int = typer.Option(3, help="Kernel size of the f-like stack."),
    layers: Optional[int] = typer.Option(None, help="Stop after N layers."),
    data: OptionList = typer.Option(None, help="Source files for the effective field "
                                    "(default: random windows)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    out: Optional[Path] = typer.Option(None, help="Folder for rf.json and figures."),
) -> None:
    """Which time offsets reach one unit of each layer, computed from the network itself."""
    from seqimg.analysis.command import receptive_field_report

    result = receptive_field_report(recipe, checkpoint, height, width, steps_per_pixel, kernel,
                                    layers, data, out)
    if as_json:
        typer.echo(json.dumps(result))
        return
    for network, rows in result.items():
        if network != "fold":
            typer.echo(f"[{network}]")
            for row in rows:
                typer.echo(f"  {row['name']:24s} span {row['span']:5d}  count {row['count']:5d}"
                           f"  gaps {len(row['gaps']):3d}  offsets {row['offsets'][0]}.."
                           f"{row['offsets'][-1]}")
