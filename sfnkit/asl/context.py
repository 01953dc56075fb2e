"""The context object (``$$`` in JSONPath, ``$states.context`` in JSONata) and AWS's ARN and time formats."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Final

import attrs

from sfnkit.asl.scope import Json

__all__ = [
    "ACCOUNT",
    "REGION",
    "ExecutionInfo",
    "context_object",
    "iso_timestamp",
    "lambda_arn",
]

REGION: Final = "us-east-1"
ACCOUNT: Final = "123456789012"


@functools.lru_cache(maxsize=1024)  # on the virtual clock most states enter at an instant already formatted
def iso_timestamp(epoch_seconds: float) -> str:
    """AWS's context-object time format: ISO 8601, UTC, milliseconds, ``Z``.

    >>> iso_timestamp(0.5)
    '1970-01-01T00:00:00.500Z'
    """
    moment = dt.datetime.fromtimestamp(epoch_seconds, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def lambda_arn(function: str, *, region: str = REGION, account: str = ACCOUNT) -> str:
    """The full ARN of a Lambda function given by name (or already by ARN).

    >>> lambda_arn("charge")
    'arn:aws:lambda:us-east-1:123456789012:function:charge'
    """
    if function.startswith("arn:"):
        return function
    return f"arn:aws:lambda:{region}:{account}:function:{function}"


@attrs.frozen(kw_only=True)
class ExecutionInfo:
    """What the context object says about the execution and its state machine."""

    name: str
    state_machine_name: str
    input: Json
    start_time: float
    role_arn: str = f"arn:aws:iam::{ACCOUNT}:role/sfnkit-local"
    region: str = REGION
    account: str = ACCOUNT
    express: bool = False

    @property
    def state_machine_arn(self) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{self.state_machine_name}"

    @property
    def execution_arn(self) -> str:
        if self.express:  # AWS-observed: express:<machine>:<name>:<run id>
            return (
                f"arn:aws:states:{self.region}:{self.account}:express:{self.state_machine_name}:{self.name}:{self.name}"
            )
        return f"arn:aws:states:{self.region}:{self.account}:execution:{self.state_machine_name}:{self.name}"

    def base(self) -> dict[str, Json]:
        """The parts of the context object that stay the same during the whole execution."""
        execution: dict[str, Json] = {
            "Id": self.execution_arn,
            "Input": self.input,
            "StartTime": iso_timestamp(self.start_time),
            "Name": self.name,
            "RoleArn": self.role_arn,
        }
        if not self.express:  # AWS-observed: Express executions cannot be redriven and have no RedriveCount
            execution["RedriveCount"] = 0
        return {
            "Execution": execution,
            "StateMachine": {"Id": self.state_machine_arn, "Name": self.state_machine_name},
        }


def context_object(
    base: dict[str, Json],
    state_name: str,
    entered_time: float,
    *,
    retry_count: int | None = None,
    task_token: str | None = None,
    map_item: tuple[int, Json] | None = None,
) -> dict[str, Any]:
    """The context object a state sees (``base`` from :meth:`ExecutionInfo.base`).

    ``State.RetryCount`` appears in states that can retry (Task, Parallel, Map); ``Task.Token`` inside a Task;
    ``Map.Item`` only while a Map state builds an item's input (ItemSelector).
    """
    state: dict[str, Json] = {"EnteredTime": iso_timestamp(entered_time), "Name": state_name}
    if retry_count is not None:
        state["RetryCount"] = retry_count
    context: dict[str, Json] = {"Execution": base["Execution"], "StateMachine": base["StateMachine"], "State": state}
    if task_token is not None:
        context["Task"] = {"Token": task_token}
    if map_item is not None:
        context["Map"] = {"Item": {"Index": map_item[0], "Value": map_item[1]}}
    return context
