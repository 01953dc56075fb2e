"""The AWS-recorded service-integration corpus, run through ``sfnkit.aws()`` on moto in this process.

Each case builds its world with the recorded boto3 ``setup`` calls (Step Functions calls go to sfnkit's own local
Step Functions, so callback-worker machines run on the same virtual clock), runs its execution, and compares
status, output, error and cause with what AWS recorded (``SdkHttpMetadata`` included), then the recorded
``after`` reads (messages that reached a queue, objects written to S3).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import threading
from pathlib import Path
from typing import Any

import pytest

import sfnkit
from sfnkit.cloud.services.shaping import json_value
from tests.conformance.test_conformance import case_params, differences, matches

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*/*.json"))

# name -> why the case cannot pass (strict: a case that starts passing must be taken off this list)
XFAIL: dict[str, str] = {}
_REDRIVE = (
    "recorded 2023-06-30 and 2023-08-12, before AWS added RedriveCount/RedriveStatus/RedriveStatusReason "
    "(execution redrive, November 2023) to a .sync result; the same template recorded 2025-10-28 (local_mocking/"
    "test_base_callbacks__test_sfn_start_execution_sync_SFN_SYNC*) has them, and sfnkit gives that, today's, shape"
)
_LENGTH = (
    "AWS's StartExecution body ({executionArn, startDate}) was 164 and 163 bytes; sfnkit's, for the recorded ARN's "
    "shape, is 133 (+-1 by startDate's digits). The ARN's region and state machine name are hidden behind "
    "<region> and <ArnPart_0idx>, so the other 31 bytes can be neither placed nor reproduced from the recording"
)
XFAIL.update(
    {
        "callback/test_callback__test_start_execution_sync__get_execution_history": _REDRIVE,
        "callback/test_callback__test_start_execution_sync2__get_execution_history": _REDRIVE,
        "local_mocking/test_base_scenarios__test_dynamodb_put_get_item__get_execution_history": (
            "the same PutItem-then-GetItem definition: AWS spelled GetItem's request-id header x-amzn-RequestId when "
            "this was recorded (2025-10-28) and x-amzn-requestid in the two recorded 2025-11-06 (services/"
            "test_dynamodb_task_service__..._PUT_GET_ITEM, _PUT_UPDATE_GET_ITEM); sfnkit follows the later two"
        ),
        "services/test_sfn_task_service__test_start_execution__get_execution_history": _LENGTH,
        "services/test_sfn_task_service__test_start_execution_input_json__get_execution_history": _LENGTH,
    }
)


def _handler(impl: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"services_lambda_{Path(impl).stem}", HERE / impl)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


def _decode(value: Any) -> Any:
    """Case JSON -> boto3 parameters (``{"__bytes_b64__": ...}`` -> bytes)."""
    if isinstance(value, dict):
        if "__bytes_b64__" in value:
            raw = base64.b64decode(value["__bytes_b64__"])
            return bytearray(raw) if value.get("__type__") == "bytearray" else raw
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class Binds:
    """The recorded identifiers -> the ones this world gave (queue URLs, ARNs), substituted everywhere after."""

    def __init__(self) -> None:
        self.map: dict[str, str] = {}

    def learn(self, recorded: Any, actual: Any, sent: dict[str, Any] | None = None) -> None:
        """Map what the recording answered to what this world answered; a member the request sent and the answer
        echoes (API Gateway's parentId) is not a new identifier."""
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key, value in recorded.items():
                if key in actual and not (sent and sent.get(key) == value):
                    self.learn(value, actual[key])
        elif isinstance(recorded, str) and isinstance(actual, str) and recorded != actual and len(recorded) > 3:
            self.map[recorded] = actual

    def sub(self, value: Any) -> Any:
        if isinstance(value, str):
            for old in sorted(self.map, key=len, reverse=True):
                value = value.replace(old, self.map[old])
            return value
        if isinstance(value, dict):
            return {self.sub(k): self.sub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.sub(v) for v in value]
        return value


def _worker(services: Any, worker: dict[str, Any], binds: Binds, bodies: list[Any]) -> None:
    """The test's own callback worker: take one message, answer its task token."""
    sqs = services.client("sqs")
    sfn = services.client("stepfunctions")
    params = _decode(binds.sub(worker["receive_params"]))
    params["WaitTimeSeconds"] = 0
    for _ in range(2000):
        messages = sqs.receive_message(**params).get("Messages", [])
        if messages:
            break
        threading.Event().wait(0.005)
    else:
        return
    body = messages[0]["Body"]
    doc = json.loads(body)
    bodies.append(doc)
    token = doc.get("TaskToken")
    if token is None and isinstance(doc.get("Message"), str):  # delivered through SNS
        token = json.loads(doc["Message"])["TaskToken"]
    for action in worker["actions"]:
        text = json.dumps(binds.sub(action["params"])).replace("{{TaskToken}}", token)
        getattr(sfn, action["operation"])(**json.loads(text.replace('"{{Body}}"', json.dumps(body))))


def _read_after(services: Any, call: dict[str, Any], binds: Binds) -> Any:
    params = _decode(binds.sub(call["params"]))
    client = services.client(call["service"])
    if call.get("compare") in ("sqs_json_bodies", "sqs_event_bodies"):
        want = call.get("expected_count") or len(call.get("expected") or [None])
        # as the recording's reader: receive until it has `want` bodies, deleting none; a message it has read
        # comes back once its visibility timeout passes (AWS's reader waited for that: one event read twice)
        bodies: list[Any] = []
        handles: list[str] = []
        for _ in range(20):
            if len(bodies) >= want:
                break
            answer = client.receive_message(**dict(params, WaitTimeSeconds=0, MaxNumberOfMessages=10))
            messages = answer.get("Messages", [])
            for message in messages:
                handles.append(message["ReceiptHandle"])
                bodies.append(json.loads(message["Body"]))
            if not messages:  # the visibility timeout passes
                for handle in handles:
                    client.change_message_visibility(
                        QueueUrl=params["QueueUrl"], ReceiptHandle=handle, VisibilityTimeout=0
                    )
                handles.clear()
        if call["compare"] == "sqs_event_bodies":
            bodies.sort(key=lambda e: json.dumps(e.get("detail", {})))
        return bodies
    answer = getattr(client, call["operation"])(**params)
    return json_value(answer)


def _align(expected: Any, actual: Any) -> Any:
    """The snapshots stored JSON-object text parsed: parse the actual text likewise."""
    if isinstance(expected, dict) and isinstance(actual, str):
        try:
            parsed = json.loads(actual)
        except ValueError:
            return actual
        actual = parsed if isinstance(parsed, dict) else actual
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _align(expected.get(k), v) for k, v in actual.items()}
    if isinstance(expected, list) and isinstance(actual, list):
        return [_align(e, a) for e, a in zip(expected, actual, strict=False)] + actual[len(expected) :]
    return actual


def _history_differences(case: dict[str, Any], execution: Any) -> list[str]:
    """The events AWS recorded (type and details; ids and times aside) against the execution's history."""
    actual = []
    for event in execution.history:
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        flat = {k: v for k, v in details.items() if not k.endswith("Details") and k != "roleArn"}
        actual.append({"type": event["type"], **flat})
    expected = [
        {k: v for k, v in e.items() if k not in ("id", "previousEventId", "timestamp")} for e in case["history"]
    ]
    if matches(expected, _align(expected, actual), bare=frozenset(case.get("placeholders", ()))):
        return []
    return [f"history {json.dumps(actual)[:1500]}"]


def replay(case: dict[str, Any]) -> list[str]:
    """Run one case in a fresh world; what differs from the recording (empty: it passes)."""
    with sfnkit.aws() as services:
        clock = services.clock
        lambdas = {name: _handler(info["impl"]) for name, info in (case.get("lambdas") or {}).items()}
        services.lambdas.update(lambdas)
        binds = Binds()
        binds.map["111111111111"] = services.stepfunctions.account  # the recordings' account -> this world's
        hold = clock.hold()
        hold.__enter__()
        for call in case["setup"]:
            params = _decode(binds.sub(call["params"]))
            answer = getattr(services.client(call["service"]), call["operation"])(**params)
            binds.learn(call.get("recorded_fake_response"), answer, call["params"])
            if call["operation"] == "start_execution" and call.get("await_terminal"):
                hold.__exit__()
                services.stepfunctions.executions[answer["executionArn"]].done.wait(30)
                hold.__enter__()
        bodies: list[Any] = []
        if case.get("worker"):
            threading.Thread(target=_worker, args=(services, case["worker"], binds, bodies), daemon=True).start()
        name = case.get("state_machine_name") or "StateMachine"
        clock.join()  # the test's thread takes part before time may move
        hold.__exit__()
        try:
            execution = sfnkit.run(
                binds.sub(case["definition"]),
                binds.sub(case["input"]),
                lambdas=lambdas,
                services=services,
                type=case.get("state_machine_type", "STANDARD"),
                context={"StateMachine": {"Name": name}},
            )
        finally:
            clock.leave()
        found = differences(case, execution)
        if "activity" in case.get("integration_patterns", []):  # AWS's Activity* events, not Task*
            found += _history_differences(case, execution)
        for call in case.get("after", []):
            if not call.get("service") or call.get("compare") in (None, "none") or call.get("expected") is None:
                continue
            actual = list(bodies) if call.get("from_worker") else _read_after(services, call, binds)
            expected = call["expected"]
            if isinstance(expected, dict):
                expected = {k: v for k, v in expected.items() if k != "ResponseMetadata"}
            if not matches(expected, _align(expected, actual), bare=frozenset(case.get("placeholders", ()))):
                found.append(f"after {call['service']}.{call['operation']}: {json.dumps(actual)[:600]}")
        return found


@pytest.mark.parametrize("path", case_params(CASES, XFAIL))
def test_case_runs_as_recorded_on_aws(path: Path) -> None:
    """Outcome and after-reads are those AWS recorded."""
    case = json.loads(path.read_text(encoding="utf-8"))
    assert replay(case) == []


def test_xfail_names_exist() -> None:
    names = {f"{p.parent.name}/{p.stem}" for p in CASES}
    assert sorted(set(XFAIL) - names) == []
