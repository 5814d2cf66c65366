# Two commands on a fresh machine: `make run` (the product) and `make test` (the tests).
VENV ?= .venv
PY := $(VENV)/bin/python
# subtle: every install is constrained to the versions the tests passed with (constraints.txt).
PIP := $(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: run test install install-dev browser axe bench clean

run: install
	$(VENV)/bin/rag ingest
	$(VENV)/bin/rag ask "DeepSeek训练V3用了多少块H800？"
	$(VENV)/bin/rag ask "DeepSeek聲稱訓練V3用了多少張輝達顯示卡？"
	$(VENV)/bin/rag ask "Which university did Liang Wenfeng graduate from?"
	$(VENV)/bin/rag ui

test: install-dev browser axe
	$(PY) -m pytest $(PYTEST_ARGS)

# The product alone: no torch (sentence-transformers is the optional `st` extra).
install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) -e .
	touch $@

# Tests also exercise the sentence-transformers path; subtle: torch==2.13.0 first, so pip
# takes the CPU wheel on this disk instead of resolving a multi-GB CUDA build.
install-dev: $(VENV)/.installed-dev
$(VENV)/.installed-dev: pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) torch==2.13.0
	$(PIP) -e '.[dev]'
	touch $(VENV)/.installed $@

# Debian's Chromium (Playwright's own browser download cannot work offline) + CJK font.
browser:
	@test -x /usr/bin/chromium && fc-list | grep -qi wqy || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei)

# axe-core for the accessibility audit in the browser tests, from npm into a git-ignored folder
# (tests/ui/test_web.py injects .cache/axe/node_modules/axe-core/axe.min.js into the page).
AXE_VERSION ?= 4.14.1
axe: .cache/axe/node_modules/axe-core/axe.min.js
.cache/axe/node_modules/axe-core/axe.min.js:
	npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@$(AXE_VERSION)

bench: install-dev
	$(PY) benchmarks/bench_query.py
	$(PY) benchmarks/bench_ui.py

clean:
	rm -rf $(VENV) vectorstore/*
