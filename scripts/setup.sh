#!/usr/bin/env bash
# Idempotent set-up: a virtual environment with sfnkit and its dev extras, plus what the tests
# need from outside Python (Graphviz's `dot`, Node's asl-validator). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
EXTRAS="dev,aws,render,cli,docs"
stamp="$VENV/.installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$(cat "$stamp")" != "$EXTRAS" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[$EXTRAS]"
    echo "$EXTRAS" > "$stamp"
fi

# Graphviz: rendering tests need `dot`; install it when missing and we may.
if ! command -v dot >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
    else
        echo "note: Graphviz 'dot' is missing; tests marked 'dot' will be skipped (apt-get install graphviz)" >&2
    fi
fi

# asl-validator (npm): the export tests check every generated definition with it.
if command -v npm >/dev/null 2>&1; then
    if [ ! -x tools/node_modules/.bin/asl-validator ]; then
        mkdir -p tools
        (cd tools && npm install --silent --no-audit --no-fund --no-package-lock asl-validator@4 >/dev/null)
    fi
    # JavaScript jsonata 2.0.6 (the version AWS runs) in a folder of its own: asl-validator brings another
    # version into tools/node_modules. The JSONata tests compare sfnkit's evaluator with it.
    if [ ! -f tools/jsonata/node_modules/jsonata/package.json ]; then
        mkdir -p tools/jsonata
        # a package.json of its own, or npm would install into the enclosing tools/ package
        [ -f tools/jsonata/package.json ] || echo '{"private": true}' > tools/jsonata/package.json
        (cd tools/jsonata && npm install --silent --no-audit --no-fund --no-package-lock jsonata@2.0.6 >/dev/null)
    fi
else
    echo "note: npm is missing; tests marked 'node' will be skipped" >&2
fi
