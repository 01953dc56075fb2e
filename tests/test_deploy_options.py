"""@lambda_fn's deploy options: checked where they are written; import sfnkit (and export) stay free of boto3."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sfnkit import DefinitionError, lambda_fn
from sfnkit.deploy_options import DeployOptions


def handler(event):
    return event


def test_options_are_kept_on_the_step():
    """runtime, architecture, environment and requirements travel on the step, environment sorted."""
    step = lambda_fn(runtime="python3.13", architecture="arm64", environment={"B": "2", "A": "1"},
                     requirements=["attrs>=23"])(handler)  # fmt: skip
    assert step.deploy_options == DeployOptions(
        runtime="python3.13", architecture="arm64", environment=(("A", "1"), ("B", "2")), requirements=("attrs>=23",)
    )


def test_no_option_no_deploy_options():
    """A plain @lambda_fn carries none (deploy uses the defaults)."""
    assert lambda_fn(handler).deploy_options is None


def test_requirements_file_path():
    """A string is the path of a requirements file (next to the module)."""
    assert lambda_fn(requirements="requirements.txt")(handler).deploy_options.requirements_file == "requirements.txt"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"runtime": "python3.9"}, r"python3\.12 or newer"),
        ({"runtime": "nodejs20.x"}, r"python3\.12 or newer"),
        ({"architecture": "arm"}, r"'x86_64' or 'arm64'"),
        ({"environment": {"AWS_REGION": "x"}}, r"not a variable Lambda lets you set"),
        ({"environment": {"1X": "x"}}, r"not a variable Lambda lets you set"),
        ({"environment": {"N": 3}}, r"Lambda variables are strings, write '3'"),
        ({"requirements": [""]}, r"pip requirement strings"),
    ],
    ids=["old-runtime", "not-python", "architecture", "reserved-env", "bad-env-name", "env-not-string", "empty-req"],
)
def test_bad_option_fails_at_the_decorator(options, message):
    """A bad deploy option is a DefinitionError at the decorator line, saying what to write."""
    with pytest.raises(DefinitionError, match=message):
        lambda_fn(**options)


def test_export_and_deploy_names_do_not_import_boto3():
    """sfnkit.deploy and sfnkit.export exist after import sfnkit, and export itself needs no boto3."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    code = (
        f"import sys; sys.path.insert(0, {str(examples)!r}); import sfnkit; from wait_loop import incubation; "
        "sfnkit.export(incubation, 'cloudformation'); print(callable(sfnkit.deploy), "
        "sorted(m for m in ('boto3', 'botocore') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "True []"


def test_permissions_go_to_the_function_role():
    """permissions= statements join the function role's policy after its logging statements (Effect: Allow)."""
    from sfnkit.cloud import iam

    step = lambda_fn(permissions=[{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::hoard/*"}])(handler)
    hash(step)  # still usable as a key, like any step
    policy = iam.function_policy("Handler", iam.Arns("eu-west-1", "111122223333"), step.deploy_options.permissions)
    assert policy["Statement"][2:] == [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::hoard/*"}
    ]


def test_bad_permission_statement():
    """A permission that is not an IAM statement with Action and Resource fails at the decorator."""
    with pytest.raises(DefinitionError, match=r"permissions=...\)\[0\] is 's3:GetObject'; give IAM statements"):
        lambda_fn(permissions=["s3:GetObject"])
