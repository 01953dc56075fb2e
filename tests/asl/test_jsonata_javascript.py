"""sfnkit's JSONata against JavaScript jsonata 2.0.6 (the version AWS runs), expression by expression.

Needs Node and the npm package ``jsonata@2.0.6`` in ``tools/jsonata/node_modules/jsonata`` (asl-validator brings
a newer jsonata into ``tools/node_modules``, hence a folder of its own), or the folder named by
``SFNKIT_JSONATA_JS``; skipped otherwise. Install it with
``(mkdir -p tools/jsonata && cd tools/jsonata && npm install --no-package-lock jsonata@2.0.6)``.
One ``node`` process evaluates every case.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sfnkit.asl.failures import StatesError
from sfnkit.asl.jsonata import compile_expression
from sfnkit.errors import AslError

pytestmark = pytest.mark.node

PACKAGE = Path(
    os.environ.get("SFNKIT_JSONATA_JS", Path(__file__).resolve().parents[2] / "tools/jsonata/node_modules/jsonata")
)

# Reads a JSON array of {expr, bindings}; prints a JSON array of {json} | {undefined} | {function} | {code, message}.
_SCRIPT = r"""
const jsonata = require(process.argv[1]);
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", async () => {
  const out = [];
  for (const c of JSON.parse(Buffer.concat(chunks).toString("utf8"))) {
    try {
      const r = await jsonata(c.expr).evaluate(undefined, c.bindings);
      if (typeof r === "function" || (r && r._jsonata_lambda)) out.push({ function: true });
      else if (r === undefined) out.push({ undefined: true });
      else out.push({ json: JSON.stringify(r) });
    } catch (err) {
      out.push({ code: err.code || null, message: err.message });
    }
  }
  process.stdout.write(JSON.stringify(out));
});
"""

DATA = {
    "a": 1,
    "n": None,
    "s": "x",
    "f": 1.0,
    "big": 12345678901234567890,
    "l": [1, None, 3],
    "e": [],
    "o": {"k": "v", "n": 2.5},
    "items": [{"id": 1, "v": 10, "tags": ["x", "y"]}, {"id": 2, "v": 20.5, "tags": []}],
    "text": "Hello, World",
}
VARIABLES = {"v": 1, "w": None, "arr": [1, 2], "obj": {"x": 1}, "list": ["p", None, "q"]}

CURATED = [
    "5.5 % 2", "-7 % 3", "1 in [true]", "1 in [1.0, 2]", "$string(1e15)", "$string(123456789012345678)",
    "$string({'a': 1e-7})", "$string($states.input.o)", "$string([1, 2.5, 'a', null])", "'a' & 1.5 & true & null",
    "$states.input.f", "$states.input.big", "$states.input.big + 0", "$states.input.n", "$w", "$type($w)",
    "$states.input.l", "$states.input.l[1]", "$states.input.l[$ = null]", "$states.input.e", "$states.input.e[0]",
    "$map($states.input.l, function($v) { $type($v) })", "$states.input.l.($type($))",
    "$map($list, function($v) { $v })",
    "$states.input.items.id", "$states.input.items[id = 2].v", "$sum($states.input.items.v)",
    "$states.input.items^(>v).id", "$states.input.items{$string(id): v}", "$states.input.items.tags",
    "$states.input.items[tags = 'x'].id", "$uppercase(null)", "$uppercase($states.input.n)", "$number('0x1F')",
    "$number(' 1')", "$number('1e3')", "$number('.5')", "$number(null)", "$substring('hello', 1, 2)",
    "$substring('a', 'b')", "$sum(1, 2)", "$sum([1, 'a'])", "$join(['a', null])", "$power(-8, 0.5)",
    "$power(10, 400)", "$distinct([1, 1.0, '1', true])", "$distinct($states.input.l)", "$round(2.675, 2)",
    "$round(-2.5)", "$floor(-0.5)", "$average([1, 2, 4])", "$max([])", "$sum([])", "$count([])",
    "$boolean(function($v) { $v })", "function($v) { $v } ? 1 : 2", "$string ? 1 : 2", "true and function() { 1 }",
    "$not(function($v) { $v })", "$boolean([function($v) { $v }, 0])", "$boolean([[], 0])",
    "$formatNumber(1234.5, '#,##0.0')", "$formatBase(255, 2)", "$formatInteger(1999, 'I')",
    "$fromMillis(0, '[Y0001]-[M01]-[D01]')", "$toMillis('2024-02-29T12:00:00.123+02:00')",
    "$fromMillis(1709208000000)", "$pad('ab', -5, '*')", "$length('héllo')", "$lowercase('ÀB')",
    "$states.input.items#$i[$i = 1].id", "$states.input.o.*", "$states.input.**.id", "$states.input.items@$it.$it.id",
    "0.1 + 0.2", "$string(0.1 + 0.2)", "1e21 + 1", "$string(1e21)", "$string(1/3)", "$error('boom')",
    "$assert(false, 'nope')", "[1, 2, 3][$ > 1]", "[1..3]", "[3..1]", "'abc'[0]", "{'a': 1}.a",
    "$match('abc', /b/)", "$replace('abc', /b/, function($m) { 'X' })", "$split('a1b2c', /[0-9]/)",
    "$states.input.items.{'k': id}", "$lookup($states.input.items, 'id')", "-$states.input.s", "$states.input.a.b",
    "$states.input.e = []", "{} = {}", "$states.input.o = {'k': 'v', 'n': 2.5}", "$append(null, null)",
    "$states.input.n & 'x'", "$exists($states.input.n)", "{'a': $states.input.zz, 'b': 1}", "[$states.input.zz, 1]",
    "$states.input.zz ? 1 : 2", "$states.input.s < 'y'", "$states.input.s < 1", "null < 1", "'a' + 1",
    "$lowercase(1)", "$keys($states.input.o)", "$merge([$obj, {'y': 2}])", "$each($obj, function($v, $k) { $k })",
    "$sift($states.input.o, function($v) { $v = 'v' })", "$reduce($arr, function($a, $b) { $a + $b })",
    "$zip([1, 2], [3])", "$single([1, 2], function($v) { $v = 1 })", "$split('a,b', ',')", "$trim('  a  b  ')",
    "$contains($states.input.text, 'World')", "$substringAfter('abc', 'b')", "$encodeUrlComponent('ä b')",
    "$base64decode('aGk=')", "($x := 5; $x * $v)", "$states.input ~> $keys()", "$clone($obj)",
    "$contains('٣', /\\d/)", "$contains('é', /\\w/)", "$match('héllo wörld', /\\b\\w+\\b/)",
    "$contains('abc\\n', /c$/)",
    "$contains('abc\\n', /c$/m)", "$match('2024-01-02', /(?<y>\\d{4})-(?<m>\\d\\d)/)", "$contains('x', /[^]/)",
    "$replace('aa-bb', /(?<x>a)\\k<x>/, 'X')", "$contains('x', /[]/)", "$match('ÀB', /àb/i)",
    "$formatNumber(0.125, '0.00')", "$formatNumber(2.675, '0.00')", "$formatNumber(2.5, '0')",
    "$formatNumber(1234.565, '#,##0.00')", "$formatNumber(0.0125, '0.00%')", "$formatNumber(-0.125, '0.00;(0.00)')",
    "$formatNumber(1234, '#,##0.00', {'decimal-separator': ',', 'grouping-separator': '.'})",
]  # fmt: skip
"""Expressions where jsonata-python differed, or could (numbers, nulls, errors, functions, strings, dates)."""


def _available() -> bool:
    """Node, and jsonata 2.0.6 (the version AWS documents) where PACKAGE points."""
    manifest = PACKAGE / "package.json"
    return (
        shutil.which("node") is not None
        and manifest.is_file()
        and json.loads(manifest.read_text()).get("version") == "2.0.6"
    )


def _javascript(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = subprocess.run(
        ["node", "-e", _SCRIPT, str(PACKAGE)], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def _sfnkit(text: str) -> dict[str, Any]:
    try:
        expression = compile_expression("{% " + text + " %}")
        value = expression.evaluate({"input": DATA, "context": {}}, VARIABLES)
    except AslError as error:
        return {"compile": str(error)}
    except StatesError as error:
        return {"error": error.cause}
    return {"json": value}


def _agrees(javascript: dict[str, Any], ours: dict[str, Any], *, exact_errors: bool) -> bool:
    if "json" in javascript and '"_jsonata_lambda"' in javascript["json"]:
        return "unsupported result type" in ours.get("error", "")  # JavaScript serialises a function's internals
    if "json" in javascript:
        return "json" in ours and json.dumps(ours["json"], sort_keys=True) == json.dumps(
            json.loads(javascript["json"]), sort_keys=True
        )
    if javascript.get("undefined"):
        return "returned nothing (undefined)" in ours.get("error", "")
    if javascript.get("function"):
        return "unsupported result type" in ours.get("error", "")
    if "error" not in ours and "compile" not in ours:
        return False
    # When several parts of an expression fail, which error JavaScript reports depends on its asynchronous
    # evaluation order; for single failures the code and message must match.
    return not exact_errors or f"{javascript['code']}: {javascript['message']}" in ours.get("error", "")


@pytest.mark.skipif(not _available(), reason="needs node and jsonata@2.0.6 in tools/jsonata")
def test_curated_expressions_match_javascript() -> None:
    """Each curated expression gives JavaScript JSONata 2.0.6's value, undefined, or error code and message."""
    bindings = {"states": {"input": DATA, "context": {}}, **VARIABLES}
    results = _javascript([{"expr": text, "bindings": bindings} for text in CURATED])
    differing = [
        (text, javascript, ours)
        for text, javascript in zip(CURATED, results, strict=True)
        if not _agrees(javascript, ours := _sfnkit(text), exact_errors=javascript.get("code") is not None)
    ]
    assert differing == []


FUNCTIONS = ["$count", "$sum", "$string", "$number", "$boolean", "$not", "$exists", "$type", "$keys", "$distinct",
             "$reverse", "$length", "$uppercase", "$abs", "$round", "$append"]  # fmt: skip


def _random_expression(rng: random.Random, depth: int) -> str:
    paths = ["$states.input.items", "$states.input.items.v", "$states.input.items[v > 10].id", "$states.input.o.n",
             "$states.input.l", "$states.input.e", "$states.input.text", "$arr", "$obj.x", "$list[1]", "$w", "1",
             "2.5", "'a'", "null", "true", "[1, 2]", "{'k': 1}"]  # fmt: skip
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(paths)
    choice = rng.random()
    inner = _random_expression(rng, depth - 1)
    if choice < 0.35:
        function = rng.choice(FUNCTIONS)
        return f"{function}({inner})"
    if choice < 0.7:
        operator = rng.choice(["+", "-", "*", "/", "%", "=", "!=", "<", ">=", "&", "and", "or", "in"])
        return f"({inner} {operator} {_random_expression(rng, depth - 1)})"
    if choice < 0.85:
        return f"({inner} ? {_random_expression(rng, depth - 1)} : {_random_expression(rng, depth - 1)})"
    return f"$map({inner}, function($x) {{ {_random_expression(rng, depth - 1).replace('$arr', '$x')} }})"


@pytest.mark.skipif(not _available(), reason="needs node and jsonata@2.0.6 in tools/jsonata")
def test_random_expressions_match_javascript() -> None:
    """Seeded random expressions: same values and undefined results; an error where JavaScript errs."""
    rng = random.Random(20241122)
    # 1/0: JavaScript computes Infinity where sfnkit fails with D1001 (a documented difference).
    texts = [text for text in dict.fromkeys(_random_expression(rng, 3) for _ in range(400)) if "1/0" not in text]
    bindings = {"states": {"input": DATA, "context": {}}, **VARIABLES}
    results = _javascript([{"expr": text, "bindings": bindings} for text in texts])
    differing = [
        (text, javascript, ours)
        for text, javascript in zip(texts, results, strict=True)
        if not _agrees(javascript, ours := _sfnkit(text), exact_errors=False)
    ]
    assert differing == []
