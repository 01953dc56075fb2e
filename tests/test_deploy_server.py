"""End to end: ``examples/dragons.py --deploy`` against a moto server this test starts on 127.0.0.1 (random port)."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto.server")

from moto.server import ThreadedMotoServer  # noqa: E402

import sfnkit  # noqa: E402

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "dragons.py"


@pytest.fixture
def endpoint() -> Iterator[str]:
    """A moto server on a free local port, emptied first and stopped after."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=30).close()
    try:
        yield url
    finally:
        server.stop()


def run_script(endpoint: str, *args: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env |= {"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_dragons_deploy_against_a_moto_server(endpoint):
    """--deploy creates everything on the server; deploying the same flow again over HTTP makes no mutating call
    and reports it unchanged; destroy removes it all."""
    first = run_script(endpoint, "--deploy", "--yes")
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from dragons import dragons
    finally:
        sys.path.remove(str(SCRIPT.parent))
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    calls: list[str] = []
    session.events.register("before-call", lambda model, **_: calls.append(model.name))
    again = sfnkit.deploy(dragons, session=session, endpoint_url=endpoint)
    deployed = sorted(
        f["FunctionName"] for f in session.client("lambda", endpoint_url=endpoint).list_functions()["Functions"]
    )
    mutating = [name for name in calls if not name.startswith(("Get", "List", "Describe"))]
    gone = again.destroy()
    left = session.client("lambda", endpoint_url=endpoint).list_functions()["Functions"]
    assert ([line.split()[0] for line in first.splitlines()], again.changed, mutating, deployed, len(gone), left) == (
        ["create"] * 7 + ["state"],
        False,
        [],
        ["AddDragon", "ValidateDragon"],
        7,
        [],
    )


def test_deploy_asks_first(endpoint):
    """Without --yes the script asks, and an answer other than y deploys nothing."""
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--deploy"], input="n\n", capture_output=True, text=True, env=env, timeout=120,
        check=True,
    )  # fmt: skip
    assert done.stdout == f"Deploy Dragons on {endpoint}? [y/N] Nothing done.\n"
