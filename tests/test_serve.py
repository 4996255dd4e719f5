"""``seqimg serve``: the API (always, through the framework's test client) and the page in a real
browser (where Chromium is installed); bad and oversize uploads and many requests at once leave
the server answering."""

import asyncio
import socket
import threading
import time

import httpx
import pytest
from conftest import CHORALE, need, write_midi
from starlette.testclient import TestClient
from test_report_page import CHROMIUM_FLAGS, LOADED_MEDIA

from seqimg.codecs.midi import MidiCodec
from seqimg.methods.diffusion import DiffusionMethod
from seqimg.serve import EXAMPLES, Server, build_app


@pytest.fixture(scope="module")
def sampler(tmp_path_factory):
    """The checkpoint of a 2-step toy run of the diffusion method."""
    from test_diffusion import diffusion_recipe

    from seqimg.run import run

    folder = tmp_path_factory.mktemp("toy-sampler")
    return run(diffusion_recipe(folder, steps=2), folder / "run",
               progress=False) / "checkpoints" / "last.pt"


@pytest.fixture()
def server(sampler, trained_toy, tmp_path):
    return Server({"toy": sampler, "dtn": trained_toy}, max_upload=64 * 1024,
                  folder=tmp_path / "served")


@pytest.fixture()
def client(server):
    server.folder.mkdir()
    return TestClient(build_app(server))


@pytest.fixture()
def chorale(tmp_path):
    return write_midi(tmp_path / "chorale.mid", CHORALE * 4).read_bytes()


def test_the_api_answers_a_midi_file_and_keeps_no_upload(client, server, chorale):
    answer = client.post("/api/transfer", files={"file": ("my piece.mid", chorale)},
                         data={"t0": "0.5", "seed": "3"})
    assert answer.status_code == 200 and answer.content[:4] == b"MThd"
    assert answer.headers["content-type"] == "audio/midi"
    assert list(server.folder.iterdir()) == []  # the upload and its output are gone
    models = client.get("/api/models").json()
    assert [m["name"] for m in models] == ["toy", "dtn"]
    refused = client.post("/api/transfer", files={"file": ("a.mid", chorale)},
                          data={"model": "dtn", "t0": "0.5"})
    assert refused.status_code == 400 and "not a transfer-time setting" in refused.text
    assert client.post("/api/transfer", files={"file": ("a.mid", chorale)},
                       data={"model": "dtn"}).status_code == 200


@pytest.mark.parametrize("files, data, status, message", [
    ({"file": ("x.mid", b"not midi at all")}, {}, 400, "file: not a readable MIDI file"),
    ({"file": ("x.mid", b"")}, {}, 400, "file: empty"),
    ({"file": ("big.mid", b"0" * (65 * 1024))}, {}, 413, "file: larger than the 64 KB limit"),
    (None, {}, 400, "file: nothing uploaded and no example chosen"),
    ({"file": ("x.csv", b"1,2\n")}, {}, 400, "file: this model reads .mid, .midi files, not .csv"),
    (None, {"example": "../etc/passwd"}, 400, "example: unknown example"),
    (None, {"model": "other"}, 400, "model: unknown model 'other' (known: toy, dtn)"),
    (None, {"example": "bwv101.7", "t0": "lots"}, 400, "method.t0: expected float, got 'lots'"),
    (None, {"example": "bwv101.7", "jump": "2"}, 400, "not a transfer-time setting"),
])
def test_bad_requests_get_one_line_and_the_server_keeps_serving(client, server, chorale, files,
                                                                   data, status, message):
    answer = client.post("/api/transfer", files=files, data=data)
    assert answer.status_code == status and message in answer.json()["error"]
    assert client.post("/api/transfer", files={"file": ("ok.mid", chorale)}).status_code == 200
    assert list(server.folder.iterdir()) == []


def test_a_failed_transfer_answers_with_its_error(client, server, chorale):
    server.models["broken"] = server.folder / "nothing.pt"
    answer = client.post("/api/transfer", files={"file": ("a.mid", chorale)},
                         data={"model": "broken"})
    assert answer.status_code == 500 and "transfer failed" in answer.json()["error"]


def test_the_page_offers_each_model_its_own_settings(client):
    """The form holds a group of fields per model: the sampler's transfer-time settings with
    its own values as placeholders; the DTN, which has none, shows no field of the sampler."""
    page = client.get("/").text
    groups = {m["name"]: m["settings"] for m in client.get("/api/models").json()}
    assert [s["name"] for s in groups["toy"]] == list(DiffusionMethod.transfer_settings)
    assert groups["dtn"] == []
    toy = page.split('data-model="toy"')[1].split("</fieldset>")[0]
    dtn = page.split('data-model="dtn"')[1].split("</fieldset>")[0]
    t0 = next(s for s in groups["toy"] if s["name"] == "t0")
    assert f'name="t0" placeholder="{t0["value"]}"' in toy and t0["meaning"]
    assert "<input" not in dtn


def test_the_page_transfers_an_example_and_links_its_results(client):
    page = client.get("/").text
    assert all(p.stem in page for p in EXAMPLES.glob("*.mid")) and "t0" in page
    answer = client.post("/transfer", data={"example": "bwv101.7"})
    assert answer.status_code == 200, answer.text
    made = answer.json()
    base = f"/results/{made['id']}/"
    assert made["file"] == "transferred.mid"
    assert client.get(base + made["file"]).content[:4] == b"MThd"
    assert client.get(base + made["rolls"]).content[:4] == b"\x89PNG"
    assert set(made["kept"]) >= {"chroma", "contour"}
    assert client.get(f"/results/{made['id']}/../../etc").status_code == 404


@pytest.fixture(scope="module")
def series_model(tmp_path_factory):
    """The checkpoint of a segment donor over two folders of CSV series (indexed, not
    trained; no evaluation)."""
    from conftest import series_csv

    from seqimg.run import run

    folder = tmp_path_factory.mktemp("toy-series")
    for side in ("calm", "busy"):
        (folder / side).mkdir()
        for i in range(3):
            series_csv(folder / side / f"{side}{i}.csv", length=80, seed=i)
    codec = "{name: timeseries, channels: 3, height: 4, width: 4}"
    recipe = folder / "series.yaml"
    recipe.write_text(f"name: series\nsource: {{domain: folder, options: {{path: calm}}, "
                      f"codec: {codec}}}\ntarget: {{domain: folder, options: {{path: busy}}, "
                      f"codec: {codec}}}\ndata: {{heldout_fraction: 0}}\nmethod: {{name: "
                      "segment_donor, segment: 8, smooth: 3}\nevaluate: {enabled: false}\n")
    return run(recipe, folder / "run", progress=False) / "checkpoints" / "last.pt"


def test_a_series_model_answers_a_csv_and_draws_it(series_model, sampler, tmp_path):
    """Any codec's model is served: the answer is in the target codec's format, the page
    lists what each model reads, and a MIDI example is refused for a series model."""
    from conftest import series_csv

    server = Server({"series": series_model, "toy": sampler}, folder=tmp_path / "served")
    server.folder.mkdir()
    client = TestClient(build_app(server))
    path, data = series_csv(tmp_path / "mine.csv", length=50)
    answer = client.post("/api/transfer", files={"file": ("mine.csv", path.read_bytes())},
                         data={"model": "series", "jump": "2"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = answer.text.strip().splitlines()
    assert rows[0] == "c0,c1,c2" and len(rows) == 1 + len(data)
    made = client.post("/transfer", files={"file": ("mine.csv", path.read_bytes())},
                       data={"model": "series"}).json()
    assert made["file"] == "transferred.csv" and made["audio"] == {} and "kept" in made
    assert client.get(f"/results/{made['id']}/rolls.png").content[:4] == b"\x89PNG"
    models = {m["name"]: m for m in client.get("/api/models").json()}
    assert models["series"]["reads"] == [".csv", ".npy"] and models["toy"]["writes"] == ".mid"
    assert 'accept=".csv,.mid,.midi,.npy"' in client.get("/").text
    refused = client.post("/api/transfer", data={"model": "series", "example": "bwv101.7"})
    assert refused.status_code == 400
    assert refused.json()["error"] == ("example: the examples are MIDI and this model reads "
                                       ".csv, .npy files")


def test_twenty_requests_at_once_are_all_answered(server, chorale):
    server.folder.mkdir()
    app = build_app(server)

    async def many():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.gather(*[
                http.post("/api/transfer", files={"file": (f"{i}.mid", chorale)},
                          data={"seed": str(i)}) for i in range(20)])

    answers = asyncio.run(many())
    assert [a.status_code for a in answers] == [200] * 20
    codec = MidiCodec()
    for i, answer in enumerate(answers):  # each a MIDI file with notes, not just an answer
        path = server.folder / f"answer{i}.mid"
        path.write_bytes(answer.content)
        assert len(codec.notes(codec.frames(path))) > 0, f"answer {i} holds no notes"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_page_works_in_chromium(server, chorale, tmp_path):
    need("chromium")
    import uvicorn
    from playwright.sync_api import sync_playwright

    server.folder.mkdir()
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(build_app(server), host="127.0.0.1", port=port,
                                            log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    upload = tmp_path / "chorale.mid"
    upload.write_bytes(chorale)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.set_input_files("input[name=file]", str(upload))
            page.click("button[type=submit]")
            page.wait_for_selector("#result:not([hidden])", timeout=120_000)
            media = page.evaluate(LOADED_MEDIA) if page.locator("#no-audio").is_hidden() else []
            href = page.get_attribute("#download", "href")
            midi = page.evaluate("async (u) => { const r = await fetch(u); const b = new "
                                 "Uint8Array(await r.arrayBuffer()); return [...b.slice(0, 4)]; }",
                                 href)
            browser.close()
    finally:
        running.should_exit = True
        thread.join(10)
    assert bytes(midi) == b"MThd"
    assert media in ([], ["ok", "ok"])
    need("fluidsynth")
    assert media == ["ok", "ok"]


def test_the_page_says_what_each_shipped_model_measured(tmp_path):
    import html

    from seqimg.serve import page_html
    from seqimg.shipped import model_path, shipped

    server = Server({"midi_genre": model_path("midi_genre")}, max_upload=64 * 1024,
                    folder=tmp_path / "served")
    said = f"midi_genre, measured: {html.escape(shipped()['midi_genre'].verdict)}"
    assert said in page_html(server)
