"""Deployment packages: deterministic zips, complete enough to run on Lambda with nothing but the standard library."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

import deploy_flows  # noqa: E402
from deploy_flows import orders  # noqa: E402

import sfnkit  # noqa: E402
from sfnkit.cloud.packaging import (  # noqa: E402
    code_sha256,
    deterministic_zip,
    function_package,
    pip_command,
    runtime_layer,
    unpack,
)
from sfnkit.errors import DeployError  # noqa: E402

EVENT = {"items": [{"price": 30}, {"price": 45}]}


def test_zip_is_deterministic():
    """The same files give the same bytes whatever their order; entries sorted, time fixed, mode 0644."""
    first = deterministic_zip({"b.py": b"b", "a/x.py": b"x"})
    second = deterministic_zip({"a/x.py": b"x", "b.py": b"b"})
    infos = zipfile.ZipFile(io.BytesIO(first)).infolist()
    modes = {info.external_attr >> 16 for info in infos}
    assert (first == second, [i.filename for i in infos], {i.date_time for i in infos}, modes) == (
        True, ["a/x.py", "b.py"], {(1980, 1, 1, 0, 0, 0)}, {0o100644}
    )  # fmt: skip


def test_function_package_is_stable_and_holds_the_module_and_entry_point():
    """Packaging a function twice gives the same CodeSha256; the zip holds its module and sfnkit_handler.py."""
    package = function_package(deploy_flows.price)
    names = zipfile.ZipFile(io.BytesIO(package.zip)).namelist()
    assert (function_package(deploy_flows.price).sha256, code_sha256(package.zip), names) == (
        package.sha256,
        package.sha256,
        ["deploy_flows.py", "sfnkit_handler.py"],
    )


def test_runtime_layer_holds_sfnkit_and_its_dependencies_only():
    """The layer has sfnkit and its pure-Python dependencies under python/, and no boto3, tests or caches."""
    names = zipfile.ZipFile(io.BytesIO(runtime_layer().zip)).namelist()
    tops = {name.split("/")[1] for name in names if name.count("/") >= 2}
    assert {"sfnkit", "attrs", "networkx", "graphviz", "jsonata"} <= tops
    assert [
        n for n in names if not n.startswith("python/") or "__pycache__" in n or "/tests/" in n or "boto" in n
    ] == []


def test_local_function_cannot_be_deployed():
    """A @lambda_fn defined inside a function is not importable by Lambda: the error says where to define it."""

    @sfnkit.lambda_fn
    def inner(event: Any) -> Any:
        return event

    with pytest.raises(DeployError, match="must be defined at the top level of its module"):
        function_package(inner)


def _moto_code(name: str) -> tuple[bytes, str]:
    from moto.awslambda.models import lambda_backends

    # moto serves no download URL for code given as ZipFile; its stored bytes are what GetFunction describes.
    fn = lambda_backends["123456789012"]["us-east-1"].get_function(name)
    return fn.code_bytes, fn.code_sha_256


def _moto_layer(arn: str) -> bytes:
    from moto.awslambda.models import lambda_backends

    name, version = arn.split(":layer:")[1].split(":")
    return bytes(lambda_backends["123456789012"]["us-east-1"].get_layer_version(name, version).code_bytes)


RUNNER = """
import json, sys
sys.path[:0] = sys.argv[1:3]
import sfnkit_handler

class Context:
    function_name = "deployed"

print(json.dumps(sfnkit_handler.handler(json.loads(sys.argv[3]), Context())))
"""


@pytest.fixture(scope="module")
def downloaded() -> dict[str, tuple[bytes, bytes]]:
    """Deploy the orders flow to moto once; each function's code and its layer, read back (function -> zips)."""
    with pytest.MonkeyPatch.context() as patch, moto.mock_aws():
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        session = boto3.Session(region_name="us-east-1")
        sfnkit.deploy(orders, session=session)
        found = {}
        for function in orders.lambdas:
            config = session.client("lambda").get_function(FunctionName=function)["Configuration"]
            code, sha = _moto_code(function)
            assert sha == config["CodeSha256"]  # the bytes are those the API describes
            found[function] = (code, _moto_layer(config["Layers"][0]["Arn"]))
        return found


@pytest.mark.parametrize(
    ("function", "event"),
    [("Price", EVENT), ("TagItem", {"price": 30}), ("Approve", {"total": 75})],
    ids=["price", "tag-item-with-context", "approve"],
)
def test_deployed_code_runs_alone_in_a_fresh_interpreter(downloaded, monkeypatch, tmp_path, function, event):
    """Each function's code and layer, read back from moto and unpacked into an empty folder, import and return what
    the local run returns, in `python -I -S` with only that folder (no site-packages) on its path."""
    monkeypatch.setenv("CURRENCY", "EUR")  # Lambda sets the function's environment; the runner inherits it
    code, layer = downloaded[function]
    unpack(code, tmp_path / "task")
    unpack(layer, tmp_path / "opt")
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", RUNNER, str(tmp_path / "task"), str(tmp_path / "opt" / "python"),
         json.dumps(event)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    local = orders.lambdas[function]
    expected = local(event, object()) if function == "TagItem" else local(event)
    assert json.loads(done.stdout) == expected


def test_pip_command_targets_the_lambda_platform(tmp_path):
    """Requirements are installed as wheels for Lambda's Python and architecture, never built locally."""
    command = pip_command(["requests>=2"], None, tmp_path, runtime="python3.13", architecture="arm64")
    assert command[1:] == [
        "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile", "--target", str(tmp_path),
        "--implementation", "cp", "--python-version", "3.13", "--platform", "manylinux_2_34_aarch64",
        "--only-binary=:all:", "--upgrade", "requests>=2",
    ]  # fmt: skip


def _wheel(folder: Path) -> None:
    """A tiny pure-Python wheel, built here (no index needed)."""
    files = {
        "tinydep/__init__.py": b"VALUE = 42\n",
        "tinydep-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinydep\nVersion: 1.0\n",
        "tinydep-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "tinydep-1.0.dist-info/RECORD": b"",
    }
    (folder / "tinydep-1.0-py3-none-any.whl").write_bytes(deterministic_zip(files))


def test_requirements_are_installed_into_the_package(monkeypatch, tmp_path):
    """A real pip install for the Lambda platform (from a local wheel folder, no network) lands in the zip."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel(wheels)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    step = sfnkit.lambda_fn(requirements=["tinydep==1.0"])(deploy_flows.approve.fn)
    monkeypatch.setattr(deploy_flows, "approve", step)
    names = zipfile.ZipFile(io.BytesIO(function_package(step).zip)).namelist()
    assert {"tinydep/__init__.py", "deploy_flows.py", "sfnkit_handler.py"} <= set(names)


def test_failed_requirement_names_the_platform(monkeypatch, tmp_path):
    """A requirement with no wheel for Lambda fails with pip's reason and what to do."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    step = sfnkit.lambda_fn(requirements=["nosuchpackage==9"])(deploy_flows.approve.fn)
    monkeypatch.setattr(deploy_flows, "approve", step)
    with pytest.raises(DeployError, match=r"(?s)pip could not install nosuchpackage==9 for Lambda .*wheel"):
        function_package(step)


def test_missing_requirements_file(monkeypatch):
    """A requirements file is looked for next to the function's module; a missing one says so."""
    step = sfnkit.lambda_fn(requirements="nope.txt")(deploy_flows.approve.fn)
    monkeypatch.setattr(deploy_flows, "approve", step)
    with pytest.raises(DeployError, match=r"requirements file 'nope.txt' not found next to deploy_flows.py"):
        function_package(step)
