"""Run Node's asl-validator (installed under tools/ by scripts/setup.sh) over ASL definitions, in batches.

``asl_validator_errors(definition)`` returns its error lines (``CODE: message``; ``[]`` when it accepts the
definition). ``asl_validator_errors_many(definitions)`` checks many definitions in one ``node`` process, which
matters: starting node costs far more than validating. Tests that use these carry ``@pytest.mark.node`` and
skip when ``available()`` is false.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["BINARY", "asl_validator_errors", "asl_validator_errors_many", "available"]

TOOLS = Path(__file__).resolve().parent.parent / "tools"
BINARY = TOOLS / "node_modules" / ".bin" / "asl-validator"
PACKAGE = TOOLS / "node_modules" / "asl-validator"

# The same validator function the asl-validator command runs, called once per definition of a JSON array read
# from stdin, with the command's default options (path and ARN checks on). Prints one error list per definition.
# asl-validator builds and compiles its JSON schemas anew for every definition (~0.3 s each); with fixed options
# the result is the same from one shared Ajv instance, so the script hands it one (~20 ms per definition).
_BATCH_SCRIPT = r"""
const path = require("path");
const pkg = process.argv[1];
const checks = path.join(pkg, "dist", "src", "checks");
const ajvModule = require(require.resolve("ajv", { paths: [checks] }));
const NewAjv = ajvModule.default;
let shared = null;
ajvModule.default = function SharedAjv(options) {
  if (shared === null) shared = new NewAjv(options);
  return shared;
};
const formatsModule = require(require.resolve("ajv-formats", { paths: [checks] }));
const addFormats = formatsModule.default;
const withFormats = new WeakSet();
formatsModule.default = function addFormatsOnce(ajv, options) {
  if (!withFormats.has(ajv)) {
    withFormats.add(ajv);
    addFormats(ajv, options);
  }
  return ajv;
};
const validator = require(pkg);
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const definitions = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const results = definitions.map((definition) => {
    try {
      const result = validator(definition, { checkPaths: true, checkArn: true });
      return result.isValid ? [] : result.errors.map((e) => `${e["Error code"]}: ${e["Message"]}`);
    } catch (error) {
      return [`EXCEPTION: ${error.message}`];
    }
  });
  process.stdout.write(JSON.stringify(results));
});
"""


def available() -> bool:
    """True when ``node`` and the asl-validator package are installed."""
    return BINARY.exists() and PACKAGE.exists() and shutil.which("node") is not None


def asl_validator_errors(definition: Mapping[str, Any]) -> list[str]:
    """asl-validator's errors for one *definition* (``[]`` when it is valid)."""
    return asl_validator_errors_many([definition])[0]


def asl_validator_errors_many(definitions: Sequence[Mapping[str, Any]], *, timeout: float = 120) -> list[list[str]]:
    """asl-validator's errors for each of *definitions*, in order, from a single node process."""
    if not definitions:
        return []
    node = shutil.which("node")
    if node is None or not PACKAGE.exists():
        raise RuntimeError("asl-validator is not installed: run scripts/setup.sh (it needs node and npm).")
    completed = subprocess.run(
        [node, "-e", _BATCH_SCRIPT, str(PACKAGE)],
        input=json.dumps(list(definitions)).encode(),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"asl-validator failed (exit {completed.returncode}): {completed.stderr.decode()[-2000:]}")
    results: list[list[str]] = json.loads(completed.stdout)
    return results
