"""Lambda deployment packages: a deterministic zip per ``@lambda_fn`` and the shared sfnkit runtime layer.

A function's zip holds its module (or the whole top-level package it lives in), what it declares it needs
(``requirements=``, installed by pip as wheels for the Lambda platform) and ``sfnkit_handler.py``, the entry point
(see ``sfnkit.cloud.entry``). The layer holds sfnkit and its dependency closure under ``python/`` so that
``from sfnkit import lambda_fn`` works on Lambda, where only the standard library and boto3 are present.

Decision: sfnkit's dependencies (attrs, networkx, graphviz, jsonata-python) are pure-Python ``py3-none-any`` wheels,
identical on every platform, so the layer copies them from the installed distributions (offline, and the same
bytes pip would fetch); a dependency that is not pure Python is installed by pip for the Lambda platform instead.
Making the decorator importable without them would not be enough: a handler module builds its workflow at import.

Zips are deterministic (sorted entries, a fixed timestamp and modes), so an unchanged function has the same
``CodeSha256`` and is not uploaded again.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.metadata
import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from sfnkit.deploy_options import DEFAULT_RUNTIME, DeployOptions
from sfnkit.errors import DeployError

__all__ = [
    "HANDLER",
    "Package",
    "code_sha256",
    "deterministic_zip",
    "function_package",
    "pip_command",
    "runtime_layer",
]

HANDLER: Final = "sfnkit_handler.handler"
_EPOCH: Final = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
_SKIP_DIRS: Final = frozenset({"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
_PLATFORM: Final = {"x86_64": "manylinux_2_34_x86_64", "arm64": "manylinux_2_34_aarch64"}  # Amazon Linux 2023

Run = Callable[..., Any]  # subprocess.run, injectable


@attrs.frozen
class Package:
    """A deployment package: the zip's bytes and Lambda's ``CodeSha256`` of them (base64 SHA-256)."""

    zip: bytes = attrs.field(repr=lambda data: f"<{len(data)} bytes>")
    sha256: str
    handler: str = HANDLER


def code_sha256(data: bytes) -> str:
    """Lambda's ``CodeSha256``: the base64 of the zip's SHA-256 digest."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def deterministic_zip(files: Mapping[str, bytes]) -> bytes:
    """A zip of *files* (archive path -> bytes) that depends on nothing else: sorted, fixed time, mode 0644."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.create_system = 3  # Unix, so the mode above is read
            archive.writestr(info, files[name], compresslevel=6)
    return buffer.getvalue()


def _package(files: Mapping[str, bytes], handler: str = HANDLER) -> Package:
    data = deterministic_zip(files)
    return Package(zip=data, sha256=code_sha256(data), handler=handler)


def _tree(root: Path, prefix: str, skip: Callable[[Path], bool] = lambda path: False) -> dict[str, bytes]:
    """Every file under *root* (no caches, no compiled files) as ``prefix/relative/path`` -> bytes."""
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in _SKIP_DIRS for part in relative.parts) or path.suffix in (".pyc", ".pyo") or skip(relative):
            continue
        if path.is_file():
            files[f"{prefix}{relative.as_posix()}"] = path.read_bytes()
    return files


# --- a function's package ----------------------------------------------------------------------------------------


def handler_location(step: Any) -> tuple[str, str, Path]:
    """Where Lambda finds *step*: its importable module name, the attribute, and the module's file.

    A script run as ``python app.py`` has ``__main__`` as its module: on Lambda it is imported as ``app``.
    """
    fn = step.fn
    module_name: str = fn.__module__
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    where = f"@lambda_fn {module_name}.{fn.__qualname__}"
    if module is None or file is None:
        raise DeployError(f"{where}: its module has no file to package; define the function in a .py file")
    attribute = fn.__name__
    found = getattr(module, attribute, None)
    if "<" in fn.__qualname__ or getattr(found, "fn", found) is not fn:
        raise DeployError(
            f"{where}: Lambda imports the handler by name, so the function must be defined at the top level of "
            f"its module under its own name ({attribute} = @lambda_fn ...)"
        )
    if module_name == "__main__":
        module_name = Path(file).stem
        if not module_name.isidentifier():
            raise DeployError(
                f"{where}: the script {file} cannot be imported by that name; rename it (a Python identifier)"
            )
    return module_name, attribute, Path(file)


def code_files(module_name: str, file: Path) -> dict[str, bytes]:
    """The source Lambda needs for *module_name*: the module, or the whole top-level package it belongs to."""
    top = module_name.split(".")[0]
    depth = module_name.count(".")
    if file.name == "__init__.py":
        depth += 1
    root = file.parent
    for _ in range(depth):
        root = root.parent
    if depth == 0:
        return {f"{top}.py": file.read_bytes()}
    return _tree(root, f"{top}/")


def entry_module(module_name: str, attribute: str) -> bytes:
    """The source of ``sfnkit_handler.py``, the entry point Lambda calls (``sfnkit_handler.handler``)."""
    return (
        '"""Lambda entry point written by sfnkit.deploy: calls the @lambda_fn as a local run calls it."""\n\n'
        "from sfnkit.cloud.entry import entry_point\n\n"
        f"handler = entry_point({module_name!r}, {attribute!r})\n"
    ).encode()


def function_package(step: Any, *, run: Run = subprocess.run) -> Package:
    """The deployment package of the ``@lambda_fn`` *step* (its code, its requirements, the entry point)."""
    module_name, attribute, file = handler_location(step)
    files = code_files(module_name, file)
    options: DeployOptions = step.deploy_options or DeployOptions()
    requirements_file = None
    if options.requirements_file is not None:
        requirements_file = file.parent / options.requirements_file
        if not requirements_file.is_file():
            raise DeployError(
                f"@lambda_fn {step.name}: requirements file {options.requirements_file!r} not found next to "
                f"{file.name}; give its path relative to the module, or a list of requirement strings"
            )
    if options.requirements or requirements_file is not None:
        installed = install_requirements(
            options.requirements, requirements_file, runtime=options.runtime, architecture=options.architecture, run=run
        )
        clash = sorted(set(installed) & set(files))
        if clash:
            raise DeployError(f"@lambda_fn {step.name}: a requirement installs {clash[0]}, which its own code has")
        files.update(installed)
    files["sfnkit_handler.py"] = entry_module(module_name, attribute)
    return _package(files)


# --- requirements, installed for the Lambda platform ------------------------------------------------------------


def pip_command(
    requirements: Sequence[str],
    requirements_file: Path | None,
    target: Path,
    *,
    runtime: str = DEFAULT_RUNTIME,
    architecture: str = "x86_64",
) -> list[str]:
    """The pip command that installs *requirements* into *target* as wheels for Lambda's platform and Python.

    Only binary wheels (``--only-binary=:all:``) for the runtime's Python version and Amazon Linux 2023's
    manylinux tag: never a build of the deploying machine.
    """
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    command += ["--target", str(target), "--implementation", "cp"]
    command += ["--python-version", runtime.removeprefix("python"), "--platform", _PLATFORM[architecture]]
    command += ["--only-binary=:all:", "--upgrade"]
    if requirements_file is not None:
        command += ["--requirement", str(requirements_file)]
    return command + list(requirements)


def install_requirements(
    requirements: Sequence[str],
    requirements_file: Path | None,
    *,
    runtime: str,
    architecture: str,
    run: Run = subprocess.run,
) -> dict[str, bytes]:
    """Install the requirements with pip for Lambda into a scratch folder; its files, by archive path."""
    with tempfile.TemporaryDirectory(prefix="sfnkit-pip-") as scratch:
        target = Path(scratch)
        command = pip_command(requirements, requirements_file, target, runtime=runtime, architecture=architecture)
        done = run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            wanted = ", ".join([*requirements, *([str(requirements_file)] if requirements_file else [])])
            raise DeployError(
                f"pip could not install {wanted} for Lambda ({runtime}, {architecture}): {done.stderr.strip()[-800:]}"
                "\nEvery requirement needs a wheel for that platform (pure Python, or manylinux); pin a version "
                "that has one, or vendor the code into your package."
            )
        return _tree(target, "", skip=lambda path: path.parts[0] == "bin")


# --- the runtime layer ------------------------------------------------------------------------------------------


# Needed by local runs only: `regex` bounds the time of JSONata regexes that sfnkit evaluates itself. A deployed
# handler imports sfnkit for its decorator and never runs JSONata there (Step Functions does); without `regex`
# sfnkit falls back to `re`. Leaving it out keeps the layer pure Python, built offline.
_LOCAL_ONLY: Final = frozenset({"regex"})


def _dependency_names(distribution: str) -> list[str]:
    """The distributions *distribution* needs at run time (extras and local-only ones left out), itself excluded."""
    seen: list[str] = []
    pending = [distribution]
    while pending:
        name = pending.pop()
        for requirement in importlib.metadata.requires(name) or []:
            if "extra ==" in requirement.replace('"', "'") or "extra==" in requirement:
                continue
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
            if match and match.group(0).lower() not in seen and match.group(0).lower() not in _LOCAL_ONLY:
                seen.append(match.group(0).lower())
                pending.append(match.group(0))
    return sorted(seen)


def _is_pure(distribution: importlib.metadata.Distribution) -> bool:
    wheel = distribution.read_text("WHEEL") or ""
    files = distribution.files or []
    return "Root-Is-Purelib: true" in wheel and not any(str(path).endswith((".so", ".pyd", ".dylib")) for path in files)


def _installed_files(distribution: importlib.metadata.Distribution) -> dict[str, bytes]:
    """A pure-Python distribution's importable files (no tests, caches or scripts) under ``python/``."""
    files: dict[str, bytes] = {}
    for path in distribution.files or []:
        parts = path.parts
        if parts[0] == ".." or any(part in _SKIP_DIRS or part == "tests" for part in parts[:-1]):
            continue
        if path.suffix in (".pyc", ".pyo") or (parts[0].endswith(".dist-info") and parts[-1] == "RECORD"):
            continue
        located = Path(str(distribution.locate_file(path)))
        if located.is_file():
            files[f"python/{path.as_posix()}"] = located.read_bytes()
    return files


@functools.cache
def runtime_layer(run: Run = subprocess.run) -> Package:
    """The layer every deployed function shares: sfnkit and what it needs, under ``python/`` (built once)."""
    import sfnkit

    files = _tree(Path(sfnkit.__file__).parent, "python/sfnkit/")
    foreign: list[str] = []
    for name in _dependency_names("sfnkit"):
        distribution = importlib.metadata.distribution(name)
        if _is_pure(distribution):
            files.update(_installed_files(distribution))
        else:
            foreign.append(f"{distribution.metadata['Name']}=={distribution.version}")
    if foreign:
        installed = install_requirements(foreign, None, runtime=DEFAULT_RUNTIME, architecture="x86_64", run=run)
        files.update({f"python/{path}": data for path, data in installed.items()})
    return _package(files, handler="")


def layer_digest(package: Package) -> str:
    """A short, name-safe digest of a layer's content (it goes into the layer version's description)."""
    return hashlib.sha256(package.zip).hexdigest()[:16]


def unpack(data: bytes, into: str | os.PathLike[str], names: Iterable[str] | None = None) -> None:
    """Extract the zip *data* into the folder *into* (for inspecting a package)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into, members=None if names is None else list(names))
