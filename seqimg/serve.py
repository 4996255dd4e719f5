"""``seqimg serve``: a local page to hear (or see) a transfer, and the same as an API.

GET ``/`` is the page (drop a file of the chosen model's source codec, or pick a bundled chorale
for a MIDI model; set that model's own transfer-time settings; get both pictures, both renders
where the codec has them, the transferred file and what was kept); POST ``/api/transfer``
(multipart field ``file``; form fields ``model`` and any of the model's transfer-time settings
by name, e.g. ``jump``, ``t0``, ``sample_seed`` or ``seed``) answers with the transferred file
in the target codec's format; GET ``/api/models`` lists the models, the files each reads and
its settings. Uploads are written under generated names in a private temporary folder and
removed after the answer; a model transfers one request at a time (a lock each), off the event
loop, so the server keeps answering while it works. A bad request or setting answers 400, a
broken model 500."""

from __future__ import annotations

import asyncio
import functools
import html
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from seqimg.errors import BadSetting, SeqimgError, one_line
from seqimg.runfiles import ShowPlaces

EXAMPLES = Path(__file__).parent / "examples"  # a few Bach chorales, bundled
MAX_UPLOAD = 5 * 1024 * 1024
KEPT_RESULTS = 20  # result folders the page can still fetch from; older ones are removed
MEDIA_TYPES = {".mid": "audio/midi", ".midi": "audio/midi", ".csv": "text/csv",
               ".wav": "audio/wav", ".flac": "audio/flac"}  # by the file written; else bytes
RESULT_NAME = re.compile(r"(transferred\.[a-z0-9]+|(input_)?rolls\.png|input\.wav)")
NOT_SETTINGS = ("file", "example", "model")  # every other form field is a method setting
ALIASES = {"seed": "sample_seed"}  # form fields the API took before it named settings by name


class BadRequest(Exception):
    """A request the server refuses with a one-line message (HTTP 4xx)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Server:
    """The models a server offers (name -> checkpoint) and where it keeps its files."""

    models: dict[str, Path]
    max_upload: int = MAX_UPLOAD
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="seqimg-serve-")))
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def lock(self, model: str) -> asyncio.Lock:
        return self.locks.setdefault(model, asyncio.Lock())

    def settings(self, form) -> tuple[str, list[str]]:
        """The model named in the form and its transfer-time overrides (every other field
        that is not empty, as ``method.NAME=VALUE``); a clear refusal of an unknown model.
        Loading the model with them refuses a setting its method does not have or a value of
        the wrong type."""
        model = str(form.get("model") or next(iter(self.models)))
        if model not in self.models:
            raise BadRequest(f"model: unknown model {model!r} (known: {', '.join(self.models)})")
        overrides = [f"method.{ALIASES.get(name, name)}={value}"
                     for name, value in form.multi_items()
                     if name not in NOT_SETTINGS and isinstance(value, str) and value]
        return model, overrides

    def transfer_of(self, model: str, overrides: list[str]):
        """The model's :class:`~seqimg.pipeline.PieceTransfer` at these settings; a setting the
        model's method does not have is a bad request, a model that does not load is not."""
        try:
            return load_transfer_cached(self.models[model], tuple(overrides))
        except BadSetting as exc:
            raise BadRequest(f"{model}: {one_line(exc)}") from None

    async def upload(self, form, folder: Path, reads: tuple[str, ...]) -> Path:
        """The uploaded file (or the chosen bundled example) saved under a generated name with
        one of the ``reads`` suffixes (the model's source codec's)."""
        upload = form.get("file")
        example = str(form.get("example") or "")
        if isinstance(upload, UploadFile) and upload.filename:
            suffix = Path(upload.filename).suffix.lower() or reads[0]
            if suffix not in reads:
                raise BadRequest(f"file: this model reads {', '.join(reads)} files, not {suffix}")
            data = await upload.read(self.max_upload + 1)
            if len(data) > self.max_upload:
                raise BadRequest(f"file: larger than the {self.max_upload // 1024} KB limit", 413)
            if not data:
                raise BadRequest("file: empty")
            path = folder / f"upload{suffix}"
            path.write_bytes(data)
            return path
        if example:
            known = {p.stem: p for p in EXAMPLES.glob("*.mid")}
            if example not in known:
                raise BadRequest(f"example: unknown example {example!r} (known: "
                                 f"{', '.join(sorted(known))})")
            if ".mid" not in reads:
                raise BadRequest(f"example: the examples are MIDI and this model reads "
                                 f"{', '.join(reads)} files")
            return Path(shutil.copy(known[example], folder / "upload.mid"))
        raise BadRequest("file: nothing uploaded and no example chosen")

    async def handle(self, request: Request, draw: bool) -> tuple[Path, dict]:
        """Answer one transfer request: its result folder and what was made there (the
        upload itself removed)."""
        if int(request.headers.get("content-length") or 0) > self.max_upload + 64 * 1024:
            raise BadRequest(f"file: larger than the {self.max_upload // 1024} KB limit", 413)
        form = await request.form(max_part_size=self.max_upload + 1)
        folder = self.folder / uuid.uuid4().hex
        folder.mkdir()
        try:
            model, overrides = self.settings(form)
            pair = await run_in_threadpool(self.transfer_of, model, overrides)
            source = await self.upload(form, folder, pair.source.suffixes)
            async with self.lock(model):
                made = await run_in_threadpool(transfer, pair, source, folder, draw)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            await form.close()
        source.unlink(missing_ok=True)  # the upload goes once answered
        return folder, made


def transfer(pair, source: Path, folder: Path, draw: bool) -> dict:
    """Transfer the file ``source`` into ``folder`` (the transferred file, and with ``draw``
    the pictures, the renders and what was kept); an unreadable file is a bad request."""
    try:
        piece = pair.read(source)
    except SeqimgError as exc:
        raise BadRequest(f"file: {one_line(exc).split(': ', 1)[-1]}") from None
    written = f"transferred{pair.target.suffixes[0]}"
    out = pair.carry(piece, folder / written)
    made = {"file": written}
    if draw:
        places = ShowPlaces(*(folder / name for name in (
            "rolls.png", "input_rolls.png", "input.wav", "transferred.wav")))
        shown = pair.show(piece.frames, out.frames, "your piece", places, measure=True)
        made["rolls"] = shown["picture"].name
        if "input_picture" in shown:
            made["input_rolls"] = shown["input_picture"].name
        made["audio"] = {label: path.name for label, path in shown["audio"].items()}
        if "kept" in shown:
            made["kept"] = shown["kept"]
    return made


@functools.lru_cache(maxsize=8)
def load_transfer_cached(checkpoint: Path, overrides: tuple[str, ...]):
    from seqimg.pipeline import load_transfer

    return load_transfer(checkpoint, list(overrides))


def refused(exc: BadRequest) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


async def answered(server: Server, request: Request, draw: bool):
    """``(folder, made)`` of a transfer request, or the JSON answer of its refusal (4xx) or
    failure (500: a model that does not load or a transfer that breaks)."""
    try:
        return await server.handle(request, draw)
    except BadRequest as exc:
        return refused(exc)
    except Exception as exc:  # a failed transfer answers with its error, never a hang
        return JSONResponse({"error": f"transfer failed: {one_line(exc)}"}, status_code=500)


def build_app(server: Server) -> Starlette:
    """The page and the API over ``server``'s models."""

    async def api_transfer(request: Request) -> Response:
        done = await answered(server, request, draw=False)
        if isinstance(done, Response):
            return done
        folder, made = done
        data = (folder / made["file"]).read_bytes()
        shutil.rmtree(folder, ignore_errors=True)
        kind = MEDIA_TYPES.get(Path(made["file"]).suffix, "application/octet-stream")
        return Response(data, media_type=kind, headers={
            "Content-Disposition": f'attachment; filename="{made["file"]}"'})

    async def page_transfer(request: Request) -> Response:
        done = await answered(server, request, draw=True)
        if isinstance(done, Response):
            return done
        prune(server.folder)
        return JSONResponse({"id": done[0].name, **done[1]})

    async def result(request: Request) -> Response:
        run, name = request.path_params["run"], request.path_params["name"]
        if not (run.isalnum() and RESULT_NAME.fullmatch(name)):
            return JSONResponse({"error": "no such result"}, status_code=404)
        path = server.folder / run / name
        if not path.is_file():
            return JSONResponse({"error": "no such result (results are kept for the last "
                                 f"{KEPT_RESULTS} transfers)"}, status_code=404)
        return FileResponse(path)

    async def api_models(request: Request) -> Response:
        return JSONResponse(model_list(server))

    async def page(request: Request) -> Response:
        return HTMLResponse(await run_in_threadpool(page_html, server))

    return Starlette(routes=[
        Route("/", page), Route("/api/models", api_models),
        Route("/api/transfer", api_transfer, methods=["POST"]),
        Route("/transfer", page_transfer, methods=["POST"]),
        Route("/results/{run}/{name}", result)])


def prune(folder: Path) -> None:
    """Remove all but the newest ``KEPT_RESULTS`` result folders."""
    runs = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in runs[:-KEPT_RESULTS]:
        shutil.rmtree(old, ignore_errors=True)


def files_of(path: Path) -> dict:
    """The suffixes a model reads and writes (its source and target codecs'), or why it does
    not load."""
    try:
        pair = load_transfer_cached(path, ())
    except Exception as exc:  # listed with its error; a transfer on it answers 500
        return {"error": one_line(exc)}
    return {"reads": list(pair.source.suffixes), "writes": pair.target.suffixes[0],
            "settings": model_settings(pair.method)}


def model_settings(method) -> list[dict]:
    """The transfer-time settings of a loaded model's method: each one's name, the model's own
    value and what it trades (its config field's comment)."""
    from seqimg.reference import options

    meaning = {row.name: row.meaning for row in options(type(method.cfg))}
    return [{"name": name, "value": getattr(method.cfg, name), "meaning": meaning.get(name, "")}
            for name in type(method).transfer_settings]


def model_list(server: Server) -> list[dict]:
    """Each model the server offers, the files it reads and writes, and its card where it is
    a shipped one."""
    from dataclasses import asdict

    from seqimg.shipped import shipped

    cards = shipped()
    return [{"name": name, "checkpoint": path.name, **files_of(path),
             **({"card": asdict(cards[name])} if name in cards else {})}
            for name, path in server.models.items()]


def page_html(server: Server) -> str:
    """The whole page: a form, and a script that shows the result without leaving it."""
    esc = html.escape
    listed = model_list(server)
    models = "".join(f'<option value="{esc(m["name"])}">{esc(m["name"])} (reads '
                     f'{esc(" ".join(m.get("reads", ["nothing: it does not load"])))})</option>'
                     for m in listed)
    accept = ",".join(sorted({suffix for m in listed for suffix in m.get("reads", [])}))
    examples = "".join(f'<option value="{esc(p.stem)}">{esc(p.stem)}</option>'
                       for p in sorted(EXAMPLES.glob("*.mid")))
    fields = "".join(
        f'<fieldset data-model="{esc(m["name"])}"><legend>{esc(m["name"])}: settings, left '
        f'empty the model\'s own</legend>'
        + "".join(f'<label>{esc(s["name"])} <input name="{esc(s["name"])}" '
                  f'placeholder="{esc(str(s["value"]))}" size="6"></label>'
                  f'<span class="small">{esc(s["meaning"])}</span><br>'
                  for s in m.get("settings", []))
        + '</fieldset>' for m in listed)
    made = "".join(f'<br><span class="small">{esc(m["name"])} is made of '
                   f'{esc(m["card"]["provenance"])}</span>'
                   for m in listed if m.get("card", {}).get("provenance"))
    made += "".join(f'<br><span class="small">{esc(m["name"])}, measured: '
                    f'{esc(m["card"]["verdict"])}</span>' for m in listed if "card" in m)
    return PAGE.format(models=models, made=made, examples=examples, fields=fields,
                       accept=esc(accept), limit=server.max_upload // 1024)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>seqimg: hear a transfer</title>
<style>body {{ font: 15px/1.5 system-ui, sans-serif; max-width: 1000px; margin: 2em auto;
padding: 0 1em; }} .small {{ color: #666; font-size: 0.9em; margin-left: 0.5em; }}
#error {{ color: #a00; }} img {{ max-width: 100%; }} label {{ font-weight: 600; }}</style>
</head><body>
<h1>seqimg: carry a piece from one domain to another</h1>
<form id="form">
<p><label>file <input type="file" name="file" accept="{accept}"></label>
<span class="small">at most {limit} KB</span> or <label>a bundled chorale (MIDI models)
<select name="example"><option value="">(none)</option>{examples}</select></label></p>
<p><label>model <select name="model">{models}</select></label>{made}</p>
{fields}
<p><button type="submit">Transfer</button> <span id="status"></span></p>
</form>
<p id="error" role="alert"></p>
<div id="result" hidden>
<h2>Listen</h2>
<p>input <audio id="input-audio" controls></audio></p>
<p>transferred <audio id="output-audio" controls></audio></p>
<p id="no-audio" class="small" hidden>No audio: this model's codec does not render one, or (MIDI)
fluidsynth or its General MIDI soundfont is not installed (apt-get install fluidsynth
fluid-soundfont-gm); the file still opens in any player, DAW or spreadsheet.</p>
<p><a id="download" download>Download the transferred file</a></p>
<h2>Look</h2><img id="rolls" alt="the input and the transfer drawn by the model's codec">
<img id="input-rolls" alt="the input drawn by its own codec" hidden>
<h2>What was kept</h2><p id="kept"></p>
</div>
<script>
const form = document.getElementById("form");
function showSettings() {{
  for (const set of form.querySelectorAll("fieldset[data-model]")) {{
    const chosen = set.dataset.model === form.model.value;
    set.hidden = !chosen; set.disabled = !chosen;
  }}
}}
form.model.addEventListener("change", showSettings);
showSettings();
form.addEventListener("submit", async (event) => {{
  event.preventDefault();
  const status = document.getElementById("status"), error = document.getElementById("error");
  error.textContent = ""; status.textContent = "transferring...";
  const answer = await fetch("/transfer", {{method: "POST", body: new FormData(form)}});
  const data = await answer.json();
  status.textContent = "";
  if (!answer.ok) {{ error.textContent = data.error; return; }}
  const base = "/results/" + data.id + "/";
  document.getElementById("download").href = base + data.file;
  document.getElementById("download").download = data.file;
  document.getElementById("rolls").src = base + data.rolls;
  const inputRolls = document.getElementById("input-rolls");
  inputRolls.hidden = !data.input_rolls;
  inputRolls.src = data.input_rolls ? base + data.input_rolls : "";
  const audio = data.audio || {{}};
  document.getElementById("input-audio").src = audio.input ? base + audio.input : "";
  document.getElementById("output-audio").src = audio.transferred ? base + audio.transferred : "";
  document.getElementById("no-audio").hidden = Boolean(audio.transferred);
  const kept = data.kept || {{}};
  document.getElementById("kept").textContent = Object.keys(kept).length ?
    Object.entries(kept).map(([k, v]) => k + " " + v.toFixed(2)).join(", ") +
    " (similarity of input and output; 1 = the same)" :
    "not measured: input and output are read by different codecs";
  document.getElementById("result").hidden = false;
}});
</script>
</body></html>
"""


def serve(models: dict[str, Path], host: str = "127.0.0.1", port: int = 8000,
          max_upload: int = MAX_UPLOAD) -> None:
    """Serve the page until interrupted; its temporary folder is removed afterwards."""
    import uvicorn

    server = Server(models, max_upload)
    try:
        uvicorn.run(build_app(server), host=host, port=port, log_level="warning")
    finally:
        shutil.rmtree(server.folder, ignore_errors=True)
