# seqimg: one-command set-up, tests, the default recipe and the benchmarks.
VENV     := .venv
PY       := $(VENV)/bin/python
STAMP    := $(VENV)/.seqimg-installed
APT_PKGS := freedoom fluidsynth fluid-soundfont-gm chromium
RUN_DIR  ?= runs/midi_genre
MODEL_DIR ?= runs/model_midi_genre
SAMPLER_DIR ?= runs/model_midi_genre_sampler

.PHONY: setup system-packages test fuzz run model bench ablations lint clean

setup: $(STAMP) system-packages

# torch (a CPU wheel) and the page's server are pinned here; pyproject allows ranges elsewhere.
$(STAMP): pyproject.toml examples/seqimg-example-codec/pyproject.toml \
		examples/seqimg-example-method/pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q "torch==2.13.0" "starlette==1.10.0" "uvicorn==0.55.0" \
		"python-multipart==0.0.34" "httpx==0.29.0"
	$(PY) -m pip install -q -e ".[test]" -e examples/seqimg-example-codec \
		-e examples/seqimg-example-method
	touch $(STAMP)

# Debian packages for the metal corpus and audio rendering; optional, reported when missing.
system-packages:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "missing Debian packages:$$missing (install them as root: apt-get install$$missing)"; \
		echo "without them the metal corpus and audio rendering are unavailable; the codecs, the time-series recipes and the tests that need neither still work"; \
	fi

test: setup
	$(VENV)/bin/pytest

# the readers of user files under many more mutated inputs than make test tries
fuzz: setup
	SEQIMG_FUZZ_EXAMPLES=$${SEQIMG_FUZZ_EXAMPLES:-2000} $(VENV)/bin/pytest tests/test_fuzz.py

# an interrupted (or finished) run continues from its checkpoint instead of starting over
run: setup
	$(VENV)/bin/seqimg run recipes/midi_genre.yaml --out $(RUN_DIR) \
		$(if $(wildcard $(RUN_DIR)/checkpoints/last.pt),--resume)

# the shipped models: the default recipe (the donor method: it indexes real metal, no training)
# as midi_genre, and the sampler at its fixed seed with twice its recipe's training as
# midi_genre_sampler; each with its card into seqimg/models/ (seqimg models lists them)
model: setup
	$(VENV)/bin/seqimg run recipes/midi_genre.yaml --out $(MODEL_DIR) \
		$(if $(wildcard $(MODEL_DIR)/checkpoints/last.pt),--resume)
	$(VENV)/bin/seqimg ship $(MODEL_DIR) --name midi_genre
	$(VENV)/bin/seqimg run recipes/midi_genre_sampler.yaml --out $(SAMPLER_DIR) \
		--set train.steps=3000 $(if $(wildcard $(SAMPLER_DIR)/checkpoints/last.pt),--resume)
	$(VENV)/bin/seqimg ship $(SAMPLER_DIR) --name midi_genre_sampler

bench: setup
	$(PY) benchmarks/train_step.py --model dtn --batch 32 --steps 7 --compare --json
	$(PY) benchmarks/train_step.py --model seed --batch 32 --steps 15 --compare --json
	$(PY) benchmarks/encode.py --files 2000 --workers 2 --json
	$(PY) benchmarks/readers.py --json
	$(PY) benchmarks/train_memory.py --files 1000 5000 20000 --json
	$(PY) benchmarks/donor_scale.py --pieces 42 500 2000 --exact-up-to 500

ablations: setup
	$(PY) benchmarks/ablations.py --out runs/ablations

lint: setup
	$(VENV)/bin/ruff check seqimg tests benchmarks examples

clean:
	rm -rf $(VENV) runs .pytest_cache
