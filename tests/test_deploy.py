"""sfnkit.deploy / destroy against moto in-process (mock_aws): every path, counted call by call."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from deploy_flows import orders, passes  # noqa: E402

import sfnkit  # noqa: E402
from sfnkit import DeployError  # noqa: E402
from sfnkit.cloud.plan import TAG  # noqa: E402

READS = ("Get", "List", "Describe")


class Calls:
    """Every AWS operation a session's clients make, recorded by a botocore ``before-call`` hook."""

    def __init__(self, session: Any) -> None:
        self.names: list[str] = []
        session.events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.names.append(model.name)

    def mutating(self) -> list[str]:
        return [name for name in self.names if not name.startswith(READS)]

    def clear(self) -> None:
        self.names.clear()


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A boto3 session inside moto, with fake credentials (nothing leaves the process)."""
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto.mock_aws():
        yield boto3.Session(region_name="us-east-1")


def no_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds}s: nothing here should wait")


def test_deploy_creates_functions_layer_roles_and_machine(session):
    """A first deploy creates everything, each function configured from its decorator and tagged."""
    deployment = sfnkit.deploy(orders, session=session, tags={"team": "shop"}, sleep=no_sleep)
    assert [str(change).split()[0] for change in deployment.report] == ["create"] * 9
    lam = session.client("lambda")
    price = lam.get_function(FunctionName="Price")
    config = price["Configuration"]
    approve = lam.get_function(FunctionName="Approve")["Configuration"]
    layer = lam.list_layer_versions(LayerName="Orders-sfnkit-runtime")["LayerVersions"]
    assert (
        config["Runtime"], config["Handler"], config["MemorySize"], config["Timeout"], config["Description"],
        config["Environment"], [item["Arn"] for item in config["Layers"]], price["Tags"],
        approve["Runtime"], approve["Architectures"], approve["MemorySize"], approve["Timeout"],
    ) == (
        "python3.12", "sfnkit_handler.handler", 256, 30, "Price an order", {"Variables": {"CURRENCY": "EUR"}},
        [layer[0]["LayerVersionArn"]], {"team": "shop", TAG: "Orders"},
        "python3.13", ["arm64"], 128, 3,
    )  # fmt: skip


def test_definition_names_the_deployed_function_arns(session):
    """The deployed definition invokes the functions by ARN (nested Map and Parallel tasks included)."""
    deployment = sfnkit.deploy(orders, session=session, sleep=no_sleep)
    sfn = session.client("stepfunctions")
    described = sfn.describe_state_machine(stateMachineArn=deployment.state_machine_arn)
    definition = json.loads(described["definition"])
    arn = "arn:aws:lambda:us-east-1:123456789012:function:"
    assert (
        definition["States"]["Price"]["Parameters"]["FunctionName"],
        definition["States"]["Map"]["ItemProcessor"]["States"]["TagItem"]["Parameters"]["FunctionName"],
        definition["States"]["Parallel"]["Branches"][0]["States"]["Approve"]["Parameters"]["FunctionName"],
        deployment.function_arns,
        described["roleArn"],
    ) == (
        f"{arn}Price",
        f"{arn}TagItem",
        f"{arn}Approve",
        {"Price": f"{arn}Price", "TagItem": f"{arn}TagItem", "Approve": f"{arn}Approve"},
        "arn:aws:iam::123456789012:role/sfnkit/Orders-states-role",
    )


def test_second_deploy_makes_no_mutating_call(session):
    """Deploying again with nothing changed only reads, and reports every resource unchanged."""
    sfnkit.deploy(orders, session=session, sleep=no_sleep)
    calls = Calls(session)
    again = sfnkit.deploy(orders, session=session, sleep=no_sleep)
    assert (calls.mutating(), again.changed, {str(change).split()[0] for change in again.report}) == (
        [],
        False,
        {"unchanged"},
    )


def test_new_tags_update_only_tags(session):
    """A changed tag updates tags only: no code upload, no configuration change."""
    sfnkit.deploy(orders, session=session, sleep=no_sleep)
    calls = Calls(session)
    again = sfnkit.deploy(orders, session=session, tags={"stage": "dev"}, sleep=no_sleep)
    assert (again.changed, sorted(set(calls.mutating()))) == (True, ["TagResource", "TagRole"])


def test_interrupted_deploy_completes_when_run_again(session):
    """A deploy cut off before the state machine is created finishes on the next run, reusing what exists."""

    def cut(**_: Any) -> None:
        raise ConnectionError("network down")

    session.events.register("before-call.sfn.CreateStateMachine", cut, unique_id="cut")
    with pytest.raises(ConnectionError):
        sfnkit.deploy(orders, session=session, sleep=no_sleep)
    session.events.unregister("before-call.sfn.CreateStateMachine", unique_id="cut")
    calls = Calls(session)
    resumed = sfnkit.deploy(orders, session=session, sleep=no_sleep)
    assert (calls.mutating(), [str(c) for c in resumed.report if c.action != "unchanged"]) == (
        ["CreateStateMachine"],
        ["create    state machine Orders"],
    )


def test_dry_run_plans_without_mutating(session):
    """dry_run=True reads what exists and reports what would be created; nothing is created."""
    calls = Calls(session)
    planned = sfnkit.deploy(orders, session=session, dry_run=True, sleep=no_sleep)
    functions = session.client("lambda").list_functions()["Functions"]
    assert (calls.mutating(), functions, planned.changed, str(planned.report).splitlines()[0]) == (
        [],
        [],
        True,
        "would create    role Approve-role",
    )


def test_destroy_removes_only_what_deploy_created(session):
    """destroy deletes the tagged functions, layer, roles and machine; a foreign function with no tag stays."""
    iam = session.client("iam")
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    role = iam.create_role(RoleName="foreign", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    lam = session.client("lambda")
    lam.create_function(FunctionName="Foreign", Runtime="python3.12", Role=role, Handler="x.handler",
                        Code={"ZipFile": b"PK\x05\x06" + b"\0" * 18})  # fmt: skip
    deployment = sfnkit.deploy(orders, session=session, sleep=no_sleep)
    removed = deployment.destroy()
    left = (
        [f["FunctionName"] for f in lam.list_functions()["Functions"]],
        [r["RoleName"] for r in iam.list_roles()["Roles"]],
        session.client("stepfunctions").list_state_machines()["stateMachines"],
        lam.list_layer_versions(LayerName="Orders-sfnkit-runtime")["LayerVersions"],
    )
    assert (len(removed), left) == (9, (["Foreign"], ["foreign"], [], []))


def test_destroy_also_removes_functions_an_earlier_flow_had(session):
    """Functions and roles an earlier version of the flow deployed (tagged with its workflow) go with destroy too."""
    sfnkit.deploy(orders, session=session, sleep=no_sleep)
    shorter = sfnkit.workflow("Orders", orders.lambdas["Price"])
    sfnkit.deploy(shorter, session=session, sleep=no_sleep)
    removed = sfnkit.destroy(shorter, session=session)
    assert (sorted(removed), session.client("lambda").list_functions()["Functions"]) == (
        sorted(
            ["state machine Orders", "layer Orders-sfnkit-runtime:1", "Lambda function Price",
             "Lambda function TagItem", "Lambda function Approve", "IAM role Price-role", "IAM role TagItem-role",
             "IAM role Approve-role", "IAM role Orders-states-role"]
        ),
        [],
    )  # fmt: skip


def test_destroy_by_machine_leaves_resources_of_another_workflow(session):
    """sfnkit.destroy(machine) with another prefix finds nothing of its own and deletes nothing."""
    sfnkit.deploy(passes, session=session, sleep=no_sleep)
    assert (sfnkit.destroy(passes, session=session, prefix="dev-"), sfnkit.destroy(passes, session=session)) == (
        [],
        ["state machine Passes", "layer Passes-sfnkit-runtime:1", "IAM role Passes-states-role"],
    )


def test_name_taken_by_a_foreign_function(session):
    """A function of the same name that deploy did not create is left alone: DeployError says what to do."""
    iam = session.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    role = iam.create_role(RoleName="foreign", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    session.client("lambda").create_function(
        FunctionName="Price", Runtime="python3.12", Role=role, Handler="x.handler", Code={"ZipFile": b"x"}
    )
    with pytest.raises(
        DeployError, match=r"Lambda function 'Price' already exists .* Choose another name with prefix="
    ):
        sfnkit.deploy(orders, session=session, sleep=no_sleep)


def _fail(code: str, message: str, status: int = 400) -> Any:
    class Response:
        status_code = status
        headers: ClassVar[dict[str, str]] = {}

    def hook(**_: Any) -> Any:
        return Response(), {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}

    return hook


def test_access_denied_names_resource_code_and_permission(session):
    """AccessDenied on CreateRole becomes a DeployError naming the role, the code and the permission to grant."""
    session.events.register("before-call.iam.CreateRole", _fail("AccessDenied", "not allowed", 403))
    with pytest.raises(
        DeployError,
        match=r"(?s)CreateRole on IAM role Approve-role failed with AccessDenied.*grant them iam:CreateRole",
    ) as e:
        sfnkit.deploy(orders, session=session, sleep=no_sleep)
    assert (e.value.code, e.value.resource, type(e.value.__cause__).__name__) == (
        "AccessDenied",
        "IAM role Approve-role",
        "ClientError",
    )


def test_invalid_role_arn(session):
    """role_arn= naming no role fails before anything is created."""
    calls = Calls(session)
    with pytest.raises(DeployError, match=r"role_arn='arn:aws:iam::123456789012:role/nope' is not an IAM role"):
        sfnkit.deploy(orders, session=session, role_arn="arn:aws:iam::123456789012:role/nope", sleep=no_sleep)
    assert calls.mutating() == []


def test_given_role_arn_creates_no_role(session):
    """With role_arn=, functions and machine run as that role and no role is created."""
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    role = session.client("iam").create_role(RoleName="mine", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    calls = Calls(session)
    deployment = sfnkit.deploy(orders, session=session, role_arn=role, sleep=no_sleep)
    needed = deployment.report.policies["Orders-states-role"]["Statement"][0]["Action"]
    assert ("CreateRole" in calls.mutating(), set(deployment.role_arns.values()), needed) == (
        False,
        {role},
        ["lambda:InvokeFunction"],  # the report still says what the given role must allow
    )


@pytest.mark.parametrize(
    ("operation", "code", "message", "expected"),
    [
        ("iam.CreateRole", "EntityAlreadyExists", "Role with name Approve-role already exists.",
         r"CreateRole on IAM role Approve-role failed with EntityAlreadyExists.*\n.*choose another prefix="),
        ("lambda.CreateFunction", "InvalidParameterValueException",
         "The role defined for the function cannot be assumed by Lambda.",
         r"CreateFunction on Lambda function Approve failed with .*\n.*give role_arn= a role whose trust policy "
         r"lets lambda.amazonaws.com assume it"),
        ("sfn.CreateStateMachine", "AccessDeniedException", "User may not perform states:CreateStateMachine",
         r"CreateStateMachine on state machine Orders failed with AccessDeniedException.*\n.*grant them "
         r"states:CreateStateMachine"),
    ],
    ids=["name-taken", "role-not-assumable", "access-denied"],
)  # fmt: skip
def test_aws_errors_say_what_to_do(session, operation, code, message, expected):
    """AWS's refusals become DeployErrors with the operation, the resource, the code and what to do."""
    session.events.register(f"before-call.{operation}", _fail(code, message))
    with pytest.raises(DeployError, match=expected) as error:
        sfnkit.deploy(orders, session=session, sleep=lambda seconds: None)
    assert error.value.code == code


def test_deploy_waits_until_functions_are_active(session):
    """A function still Pending is polled (with the injected sleep) before the state machine refers to it."""
    pending = [2]
    slept: list[float] = []

    def describe(**_: Any) -> Any:
        if pending[0]:
            pending[0] -= 1

            class Response:
                status_code = 200
                headers: ClassVar[dict[str, str]] = {}

            return Response(), {"State": "Pending", "LastUpdateStatus": "InProgress"}
        return None

    session.events.register("before-call.lambda.GetFunctionConfiguration", describe)
    sfnkit.deploy(orders, session=session, sleep=slept.append)
    assert slept == [1.0, 1.0]


def test_throttling_is_retried_with_back_off(session):
    """Throttled calls are retried after growing pauses (the injected sleep), then the deploy succeeds."""
    slept: list[float] = []
    throttle = _fail("ThrottlingException", "Rate exceeded")
    left = [3]

    def flaky(**kwargs: Any) -> Any:
        if left[0]:
            left[0] -= 1
            return throttle(**kwargs)
        return None

    session.events.register("before-call.lambda.CreateFunction", flaky)
    deployment = sfnkit.deploy(orders, session=session, sleep=slept.append)
    assert (slept, deployment.changed) == ([0.5, 1.0, 2.0], True)


def test_throttling_that_never_ends_is_a_deploy_error(session):
    """After the last attempt, throttling surfaces as a DeployError with AWS's code."""
    session.events.register("before-call.lambda.PublishLayerVersion", _fail("TooManyRequestsException", "slow down"))
    slept: list[float] = []
    with pytest.raises(DeployError, match="PublishLayerVersion on layer Orders-sfnkit-runtime failed with TooMany"):
        sfnkit.deploy(orders, session=session, sleep=slept.append)
    assert len(slept) == 7


def test_report_lists_wildcard_permissions():
    """A resource given as a path gets * and the report says so."""
    from sfnkit import dynamodb_get_item, workflow

    machine = workflow("Lookup", dynamodb_get_item(sfnkit.data.table, {"id": {"S": "1"}}))
    with moto.mock_aws():
        deployment = sfnkit.deploy(
            machine, session=boto3.Session(region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b"),
            dry_run=True,
        )  # fmt: skip
    assert [line for line in str(deployment.report).splitlines() if "*" in line] == [
        "permission on *: DynamoDBGetItem: dynamodb:GetItem on * (TableName is given at run time)"
    ]


def test_start_execution_returns_an_execution_like_a_local_run(session):
    """start_execution runs the deployed machine (moto executing it) and gives the same Execution type."""
    with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        fresh = boto3.Session(region_name="us-east-1")
        deployment = sfnkit.deploy(passes, session=fresh, sleep=time.sleep)  # moto runs it in a thread: poll it
        remote = deployment.start_execution({"x": 1}, name="first", poll=0.01, timeout=60)
    local = sfnkit.run(passes, {"x": 1})
    assert (remote.status, remote.output, remote.path, remote.name) == (local.status, local.output, local.path, "first")
    assert "label=<<B>First</B>" in remote.render().source or "First" in remote.render().source


def test_no_region_is_a_clear_error(monkeypatch):
    """Without a region anywhere, deploy says where to give one."""
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with pytest.raises(DeployError, match="pass region= or set AWS_REGION"):
        sfnkit.deploy(passes)


def test_function_name_that_lambda_refuses(session):
    """A prefix that makes a function name longer than Lambda's 64 characters is refused before any call."""
    calls = Calls(session)
    with pytest.raises(DeployError, match=r"cannot create Lambda function 'x{60}Price': a function name is 1-64"):
        sfnkit.deploy(orders, session=session, prefix="x" * 60, sleep=no_sleep)
    assert calls.mutating() == []


def _solo(**changes: Any) -> Any:
    import attrs
    from deploy_flows import price

    return sfnkit.workflow("Solo", attrs.evolve(price, **changes) if changes else price)


def test_changed_memory_updates_only_the_configuration(session):
    """A decorator's memory= changed: one UpdateFunctionConfiguration, no upload, the state machine unchanged."""
    sfnkit.deploy(_solo(), session=session, sleep=no_sleep)
    calls = Calls(session)
    again = sfnkit.deploy(_solo(memory=512), session=session, sleep=no_sleep)
    config = session.client("lambda").get_function_configuration(FunctionName="Price")
    assert (calls.mutating(), [str(c) for c in again.report if c.action != "unchanged"], config["MemorySize"]) == (
        ["UpdateFunctionConfiguration"],
        ["update    function Price (MemorySize)"],
        512,
    )


def test_changed_architecture_uploads_the_code_again(session):
    """A new architecture goes with the code (UpdateFunctionCode's Architectures), as the Lambda API takes it."""
    from deploy_flows import price

    sfnkit.deploy(_solo(), session=session, sleep=no_sleep)
    calls = Calls(session)
    sent: list[Any] = []
    session.events.register("before-call.lambda.UpdateFunctionCode", lambda params, **_: sent.append(params["body"]))
    sfnkit.deploy(
        _solo(deploy_options=attrs_evolve(price.deploy_options, architecture="arm64")), session=session, sleep=no_sleep
    )
    # moto keeps the old architecture on UpdateFunctionCode, so the request itself is checked
    assert (calls.mutating(), json.loads(sent[0])["Architectures"]) == (["UpdateFunctionCode"], ["arm64"])


def attrs_evolve(value: Any, **changes: Any) -> Any:
    import attrs

    return attrs.evolve(value, **changes)


LOGGING = {
    "level": "ALL",
    "includeExecutionData": True,
    "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:x:*"}}],
}


def test_type_logging_and_tracing_pass_through(session):
    """EXPRESS, a loggingConfiguration and tracing reach the state machine; their * permissions are reported."""
    deployment = sfnkit.deploy(passes, session=session, type="EXPRESS", logging=LOGGING, tracing=True)
    described = session.client("stepfunctions").describe_state_machine(stateMachineArn=deployment.state_machine_arn)
    assert (
        described["type"],
        described["loggingConfiguration"],
        described["tracingConfiguration"],
        [str(w) for w in deployment.report.wildcards],
        sfnkit.deploy(passes, session=session, type="EXPRESS", logging=LOGGING, tracing=True).changed,
    ) == (
        "EXPRESS",
        LOGGING,
        {"enabled": True},
        ["(logging): logs:*LogDelivery on * (AWS requires *)", "(tracing): xray:* on * (AWS requires *)"],
        False,
    )


def test_type_cannot_change(session):
    """AWS cannot change a state machine's type: the error says to destroy it or use another prefix."""
    sfnkit.deploy(passes, session=session)
    with pytest.raises(DeployError, match=r"AWS cannot change a state machine's type to EXPRESS: destroy it first"):
        sfnkit.deploy(passes, session=session, type="EXPRESS")


def test_tags_others_added_are_left_alone(session):
    """A tag someone else put on a deployed function does not make the next deploy update it."""
    deployment = sfnkit.deploy(passes, session=session, sleep=no_sleep)
    session.client("stepfunctions").tag_resource(
        resourceArn=deployment.state_machine_arn, tags=[{"key": "cost-centre", "value": "42"}]
    )
    calls = Calls(session)
    assert (sfnkit.deploy(passes, session=session, sleep=no_sleep).changed, calls.mutating()) == (False, [])


def test_start_execution_gives_up_after_its_timeout(session):
    """An execution still RUNNING after timeout= seconds of polling raises TimeoutError (polls use the sleep)."""
    slept: list[float] = []
    deployment = sfnkit.deploy(passes, session=session, sleep=slept.append)  # moto leaves executions RUNNING
    with pytest.raises(TimeoutError, match=r"execution arn:aws:states:.*:execution:Passes:late is still RUNNING"):
        deployment.start_execution({}, name="late", poll=5, timeout=10)
    assert slept == [5, 5]


def test_declared_permissions_reach_the_function_role(session):
    """@lambda_fn(permissions=...) statements are in the deployed function role's policy."""
    from deploy_flows import price

    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::hoard/*"}
    options = attrs_evolve(price.deploy_options, permissions=(statement,))
    sfnkit.deploy(_solo(deploy_options=options), session=session, sleep=no_sleep)
    policy = session.client("iam").get_role_policy(RoleName="Price-role", PolicyName="sfnkit")["PolicyDocument"]
    assert policy["Statement"][-1] == statement


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_endpoint_that_is_down_is_a_deploy_error():
    """No answer at all (connection refused) names the endpoint and what to check, not botocore's traceback."""
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(DeployError, match=rf"could not reach {endpoint}: .* check endpoint_url= / region="):
        sfnkit.deploy(orders, session=session, endpoint_url=endpoint, sleep=no_sleep)


def test_missing_credentials_are_a_deploy_error(monkeypatch):
    """boto3 finding no credentials says how to configure them."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    session = boto3.Session(region_name="us-east-1")
    with pytest.raises(DeployError, match=r"boto3 found no AWS credentials .* AWS_PROFILE"):
        sfnkit.deploy(orders, session=session, endpoint_url=f"http://127.0.0.1:{_closed_port()}", sleep=no_sleep)
