"""``sfnkit.aws()``: the AWS services a flow calls, run through boto3, for ``run(..., services=sfnkit.aws())``.

With no ``session`` and no ``endpoint_url`` the services are moto's, in this process: ``aws()`` starts
``moto.mock_aws()`` and ``close()`` (or leaving ``with sfnkit.aws() as services:``) stops it. While it runs, every
boto3 client of the process talks to moto, never to AWS, and moto's fake credentials are in the environment. With
``endpoint_url`` (a moto server, LocalStack) or a ``boto3.Session`` (real AWS) the same calls go there.

Step Functions itself is sfnkit: ``services.client("stepfunctions")`` is a boto3 client that the world's local
Step Functions answers (state machines, executions, task tokens, activities), and every execution of the world
shares one virtual clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sfnkit.cloud.services import corrections
from sfnkit.cloud.services.calls import OPTIMIZED, Binding, binding_for
from sfnkit.cloud.services.stepfunctions import LocalStepFunctions, ServiceError, answer_locally
from sfnkit.cloud.services.world import WorldClock

__all__ = ["AwsServices", "ServiceError", "aws"]

_ACCOUNT = "123456789012"  # moto's default account
_SHARED: list[Any] = []
_SHARED_LOCK = threading.RLock()


def _shared_session() -> Any:
    """One boto3 session for the worlds sfnkit makes: the API models it loads are read from disk once."""
    with _SHARED_LOCK:
        if not _SHARED:
            import boto3

            _SHARED.append(boto3.Session())
        return _SHARED[0]


class AwsServices(Mapping[str, Callable[..., Any]]):
    """The ``services=`` mapping of a world of AWS services (see ``sfnkit.aws``)."""

    def __init__(self, *, session: Any = None, endpoint_url: str | None = None, region: str = "us-east-1") -> None:

        self.region = region
        self.endpoint_url = endpoint_url
        self._mock: Any = None
        if session is None and endpoint_url is None:
            try:
                from moto import mock_aws
            except ImportError:
                raise ImportError(
                    "sfnkit.aws() with no session or endpoint_url runs the services on moto in this process: "
                    "pip install 'sfnkit[local]' (or pass endpoint_url='http://127.0.0.1:5000' or a boto3 session)"
                ) from None
            self._mock = mock_aws()
            self._mock.start()
            corrections.install()  # where moto's answers differ from AWS's, AWS's
        self.session = session or _shared_session()
        if session is None and endpoint_url is not None and self.session.get_credentials() is None:
            import boto3  # an emulator (moto server, LocalStack) takes any credentials; there are none around

            self.session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        self.clock = WorldClock()
        account = _ACCOUNT
        if session is not None and endpoint_url is None:
            account = self.session.client("sts").get_caller_identity()["Account"]
        self.stepfunctions = LocalStepFunctions(self.clock, self, region=region, account=account)
        self.sequence: list[str] = []  # SNS FIFO sequence numbers handed out
        # Lambda functions (name or ARN -> callable) for the executions this world starts itself
        self.lambdas: dict[str, Callable[..., Any]] = {}
        self._clients: dict[str, Any] = {}
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def in_process(self) -> bool:
        """Whether the services are moto's, in this process (no endpoint, no session)."""
        return self._mock is not None

    # --- clients --------------------------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        """A boto3 client for *service* on this world's endpoint; ``"stepfunctions"`` (or ``"sfn"``) is a boto3 client
        that sfnkit's local Step Functions answers."""
        if service == "sfn":
            service = "stepfunctions"
        with self._lock, _SHARED_LOCK:
            client = self._clients.get(service)
            if client is None:
                client = self._clients[service] = self.session.client(
                    service, region_name=self.region, endpoint_url=self.endpoint_url
                )
                if service == "stepfunctions":
                    answer_locally(client, self.stepfunctions)
                elif self._mock is not None:
                    # after close() moto no longer answers: refuse, rather than let the call reach AWS
                    client.meta.events.register_first("before-send", self._refuse_when_closed)
            return client

    def _refuse_when_closed(self, **_: Any) -> None:
        if self._mock is None:
            raise RuntimeError(
                "this sfnkit.aws() world is closed (moto has stopped): its clients no longer answer; "
                "make the calls inside `with sfnkit.aws() as services:`"
            )

    def sdk_model(self, service: str) -> Any:
        """A botocore client used for its API model only (never called), for any service, Step Functions included."""
        with self._lock:
            model = self._models.get(service)
            if model is None:
                model = self._models[service] = _shared_session()._session.create_client(
                    service, region_name=self.region, aws_access_key_id="model", aws_secret_access_key="model"
                )
            return model

    # --- the Mapping run() reads ----------------------------------------------------------------------------

    def __getitem__(self, resource: str) -> Binding:
        binding = binding_for(self, resource)
        if binding is None:
            raise KeyError(resource)
        return binding

    def __iter__(self) -> Iterator[str]:
        return iter(f"arn:aws:states:::{name}" for name in OPTIMIZED)

    def __len__(self) -> int:
        return len(OPTIMIZED)

    def __contains__(self, resource: object) -> bool:
        return isinstance(resource, str) and binding_for(self, resource) is not None

    # --- lifetime -------------------------------------------------------------------------------------------

    def close(self) -> None:
        """End the world: executions still running (callback workers...) stop; then moto stops (if started here)."""
        self.clock.close()
        for record in list(self.stepfunctions.executions.values()):
            if record.thread is not None:
                record.thread.join(timeout=10)
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
            corrections.uninstall()

    def __enter__(self) -> AwsServices:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def aws(*, session: Any = None, endpoint_url: str | None = None, region: str = "us-east-1") -> AwsServices:
    """The AWS services a flow calls, for ``run(machine, input, services=sfnkit.aws())``.

    Args:
        session: a ``boto3.Session`` to call real AWS with (nothing reaches AWS unless one is given).
        endpoint_url: an endpoint that answers the AWS APIs (a moto server, LocalStack).
        region: the region of the clients.

    With neither, moto runs the services in this process until ``close()``. Task states run the optimized
    integrations (``sns:publish``, ``sqs:sendMessage``, ``dynamodb:*Item``, ``events:putEvents``, S3 reads for a
    Distributed Map's ``ItemReader``, ``states:startExecution`` with ``.sync``/``.sync:2``), any
    ``aws-sdk:<service>:<action>``, ``.waitForTaskToken`` and activities; results and errors are shaped as Step
    Functions shapes them.
    """
    return AwsServices(session=session, endpoint_url=endpoint_url, region=region)
