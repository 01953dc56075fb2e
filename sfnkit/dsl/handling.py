"""Error handling: ``retry()`` and ``catch()`` entries, and the steps that may carry them (Task, Parallel, Map)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from sfnkit.asl.schema import MAX_DELAY_SECONDS, MAX_INTEGER
from sfnkit.dsl.flow import Step, as_step
from sfnkit.dsl.values import Json, assign_value, freeze, path_value
from sfnkit.errors import DefinitionError
from sfnkit.frozen import sparse
from sfnkit.states import ABSENT, Retrier


def error_names(errors: str | type[BaseException] | Iterable[str | type[BaseException]], what: str) -> tuple[str, ...]:
    items = [errors] if isinstance(errors, str | type) else list(errors)
    names = tuple(item.__name__ if isinstance(item, type) else item for item in items)
    if not names or not all(isinstance(name, str) and name for name in names):
        raise DefinitionError(f"{what} needs error names, e.g. 'States.ALL', 'States.Timeout' or ValueError")
    return names


# --- retry and catch ----------------------------------------------------------------------------------------


def retry(
    errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
    *,
    interval_seconds: int | None = None,
    max_attempts: int | None = None,
    backoff_rate: float | None = None,
    max_delay_seconds: int | None = None,
    jitter_strategy: str | None = None,
    comment: str | None = None,
) -> Retrier:
    """One ``Retry`` entry, for ``retry=`` options (``step.retry(...)`` takes the same arguments).

    Error names are strings (``"States.Timeout"``) or exception classes, named as Lambda names them
    (``ValueError`` → ``"ValueError"``). Numbers are checked here, against the bounds AWS enforces.
    """
    for option, value, low, high in (
        ("interval_seconds", interval_seconds, 1, MAX_INTEGER),
        ("max_attempts", max_attempts, 0, MAX_INTEGER),
        ("max_delay_seconds", max_delay_seconds, 1, MAX_DELAY_SECONDS),
    ):
        if value is not None and (type(value) is not int or not low <= value <= high):
            raise DefinitionError(f"retry({option}={value!r}): AWS takes a whole number from {low} to {high:,}")
    if backoff_rate is not None and (type(backoff_rate) not in (int, float) or not backoff_rate >= 1):
        raise DefinitionError(f"retry(backoff_rate={backoff_rate!r}): AWS takes a number >= 1.0, e.g. 2.0")
    return Retrier(
        error_equals=error_names(errors, "retry()"),
        interval_seconds=interval_seconds,
        max_attempts=max_attempts,
        backoff_rate=backoff_rate,
        max_delay_seconds=max_delay_seconds,
        jitter_strategy=jitter_strategy,
        comment=comment,
    )


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Catch:
    """One ``Catch`` entry: on *errors*, run ``then`` (or, without it, go on after the failed step)."""

    errors: tuple[str, ...]
    then: Step | None = None
    result_path: Json = ABSENT
    output: Json = ABSENT
    assign: Json = ABSENT
    comment: str | None = None


def catch(
    errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
    *,
    then: Step | Sequence[Step] | None = None,
    result_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
    comment: str | None = None,
) -> Catch:
    """One ``Catch`` entry, for ``catch=`` options (``step.catch(...)`` takes the same arguments).

    ``then`` is a step or flow run on the error, like an ``except`` block: when it runs off its end the workflow
    continues after the step that failed. Without ``then`` the error is caught and the workflow goes straight on.
    ``result_path`` (JSONPath) puts the error output ``{"Error", "Cause"}`` into the state input (default: it
    replaces it); ``output``/``assign`` (JSONata) may use ``$states.errorOutput``.
    """
    result_path = path_value(result_path, "catch(result_path=)")
    return Catch(
        errors=error_names(errors, "catch()"),
        then=None if then is None else as_step(then),
        result_path=result_path,
        output=freeze(output)[0] if output is not ABSENT else ABSENT,
        assign=assign_value(assign),
        comment=comment,
    )


def as_retriers(value: Retrier | Iterable[Retrier] | None) -> tuple[Retrier, ...]:
    if value is None:
        return ()
    items = (value,) if isinstance(value, Retrier) else tuple(value)
    for item in items:
        if not isinstance(item, Retrier):
            raise DefinitionError(f"retry= takes retry(...) entries; got {item!r}")
    _check_all_last([r.error_equals for r in items], "Retry")
    return items


def as_catches(value: Catch | Iterable[Catch] | None) -> tuple[Catch, ...]:
    if value is None:
        return ()
    items = (value,) if isinstance(value, Catch) else tuple(value)
    for item in items:
        if not isinstance(item, Catch):
            raise DefinitionError(f"catch= takes catch(...) entries; got {item!r}")
    _check_all_last([c.errors for c in items], "Catch")
    return items


def _check_all_last(lists: list[tuple[str, ...]], field: str) -> None:
    # ASL: "States.ALL" must appear alone and in the last entry of Retry/Catch.
    for position, errors in enumerate(lists):
        if "States.ALL" in errors and (len(errors) > 1 or position != len(lists) - 1):
            where = "together with other errors" if len(errors) > 1 else "before other entries"
            raise DefinitionError(
                f"{field}[{position}] uses 'States.ALL' {where}; ASL wants States.ALL alone, in the last entry."
            )


class Retryable(Step):
    """A step that may carry ``retriers`` and ``catches`` (a Task, Parallel or Map)."""

    __slots__ = ()
    retriers: tuple[Retrier, ...]
    catches: tuple[Catch, ...]

    def retry(
        self,
        errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
        **options: Any,
    ) -> Step:
        """This step with one more ``Retry`` entry; the options are those of :func:`retry`."""
        entry = retry(errors, **options)
        return attrs.evolve(self, retriers=as_retriers((*self.retriers, entry)))  # type: ignore[misc]

    def catch(
        self,
        errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
        **options: Any,
    ) -> Step:
        """This step with one more ``Catch`` entry; the options are those of :func:`catch`."""
        entry = catch(errors, **options)
        return attrs.evolve(self, catches=as_catches((*self.catches, entry)))  # type: ignore[misc]
