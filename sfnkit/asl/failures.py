"""ASL error names, ``ErrorEquals`` matching, and ``StatesError``: a failure on its way to Retry/Catch."""

from __future__ import annotations

__all__ = [
    "ALL",
    "BRANCH_FAILED",
    "DATA_LIMIT_EXCEEDED",
    "HEARTBEAT_TIMEOUT",
    "INTRINSIC_FAILURE",
    "ITEM_READER_FAILED",
    "NO_CHOICE_MATCHED",
    "PARAMETER_PATH_FAILURE",
    "QUERY_EVALUATION_ERROR",
    "RESULT_PATH_MATCH_FAILURE",
    "RUNTIME",
    "TASK_FAILED",
    "TIMEOUT",
    "StatesError",
]

ALL = "States.ALL"
BRANCH_FAILED = "States.BranchFailed"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
ITEM_READER_FAILED = "States.ItemReaderFailed"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
RUNTIME = "States.Runtime"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"


class StatesError(Exception):
    """A state failed with an ASL error name and cause; Retry and Catch decide what happens next."""

    def __init__(self, error: str, cause: str | None = None):
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause is not None else error)
