"""Control flow: ``choice``/``when`` (branches), ``parallel`` (branches at once), ``map_`` (once per item)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from sfnkit.asl.schema import MAX_NAME_LENGTH
from sfnkit.conditions import Condition, Predicate, as_condition
from sfnkit.dsl.flow import Step, as_step
from sfnkit.dsl.handling import Catch, Retryable
from sfnkit.dsl.steps import state_step
from sfnkit.dsl.values import Json, assign_value, check_name, collect, freeze, path_value
from sfnkit.errors import DefinitionError
from sfnkit.frozen import sparse
from sfnkit.states import ABSENT, Retrier


@sparse
@attrs.frozen(kw_only=True, slots=False)
class When:
    """One branch of a choice: if ``condition`` holds, run ``then`` (made by :func:`when`)."""

    condition: Condition
    then: Step
    assign: Json = ABSENT
    output: Json = ABSENT
    comment: str | None = None


def when(
    condition: Predicate | Condition | str | bool,
    then: Step | Sequence[Step],
    *,
    assign: Json = ABSENT,
    output: Json = ABSENT,
    comment: str | None = None,
) -> When:
    """A choice branch: ``when(data.age >= 18, then=adult)``.

    The condition is made with Python operators on ``data``/``ctx``/``var`` paths, or is ``jsonata("...")``.
    ``assign``/``output`` are the rule's own (ASL: set only when this branch is taken).
    """
    return When(
        condition=condition.condition if type(condition) is Predicate else as_condition(condition),
        then=then if isinstance(then, Step) else as_step(then),
        assign=ABSENT if assign is ABSENT else assign_value(assign),
        output=ABSENT if output is ABSENT else freeze(output)[0],
        comment=comment,
    )


@sparse
@attrs.frozen(kw_only=True, slots=False)
class ChoiceStep(Step):
    """A Choice state: the first branch whose condition holds runs, else ``otherwise``."""

    branches: tuple[When, ...]
    otherwise: Step | None = None
    name: str = "Choice"
    named: bool = False
    fields: dict[str, Json] = attrs.field(factory=dict, hash=False)
    dynamic: bool = False

    def named_as(self, name: str) -> ChoiceStep:
        """This choice under another state name."""
        return attrs.evolve(self, name=check_name(name, "choice()"), named=True)

    def _what(self) -> str:
        return f"choice {self.name!r}"


def choice(
    *branches: When,
    otherwise: Step | Sequence[Step] | None = None,
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
) -> ChoiceStep:
    """Take the first branch whose condition holds, else ``otherwise``.

    ``validate >> choice(when(data.total > 100, then=review), otherwise=charge) >> notify`` sends big orders to
    ``review``; a branch that runs off its end continues at ``notify``. Without ``otherwise`` an input that
    matches no branch also continues at ``notify``; if nothing follows the choice, such an input fails with
    ``States.NoChoiceMatched`` (the Choice has no ``Default``), as in ASL.
    """
    if not branches:
        raise DefinitionError("choice() needs at least one when(condition, then=step).")
    for position, branch in enumerate(branches, start=1):
        if not isinstance(branch, When):
            raise DefinitionError(f"choice() branch {position} is {branch!r}; wrap it as when(condition, then=step).")
    fields: dict[str, Json]
    plain = comment is None and query_language is None and input_path is ABSENT and output_path is ABSENT
    if plain and output is ABSENT and assign is ABSENT:
        fields, dynamic = {}, False  # the usual choice: nothing but its branches
    else:
        fields, dynamic = collect(
            {
                "comment": comment,
                "query_language": query_language,
                "input_path": path_value(input_path, "choice(input_path=)"),
                "output_path": path_value(output_path, "choice(output_path=)"),
                "output": output,
                "assign": assign_value(assign),
            }
        )
    if name is not None and not (type(name) is str and name.isidentifier() and len(name) <= MAX_NAME_LENGTH):
        name = check_name(name, "choice()")  # else: fine as it is (the check's own fast path, without a call)
    return ChoiceStep(
        branches=branches,
        otherwise=otherwise if otherwise is None or isinstance(otherwise, Step) else as_step(otherwise),
        name="Choice" if name is None else name,
        named=name is not None,
        fields=fields,
        dynamic=dynamic,
    )


@sparse
@attrs.frozen(kw_only=True, slots=False)
class ParallelStep(Retryable):
    """A Parallel state: every branch runs on the same input; the output is the list of their outputs."""

    branches: tuple[Step, ...]
    name: str = "Parallel"
    named: bool = False
    fields: dict[str, Json] = attrs.field(factory=dict, hash=False)
    dynamic: bool = False
    retriers: tuple[Retrier, ...] = ()
    catches: tuple[Catch, ...] = ()

    def named_as(self, name: str) -> ParallelStep:
        """This parallel under another state name."""
        return attrs.evolve(self, name=check_name(name, "parallel()"), named=True)

    def _what(self) -> str:
        return f"parallel {self.name!r}"


def parallel(
    *branches: Step | Sequence[Step],
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    parameters: Json = ABSENT,
    arguments: Json = ABSENT,
    result_selector: Json = ABSENT,
    result_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
    retry: Retrier | Iterable[Retrier] | None = None,
    catch: Catch | Iterable[Catch] | None = None,
) -> ParallelStep:
    """Run each branch (a step or a list of steps) on the same input, at once; output the list of results.

    Each branch is its own ``States`` block: it cannot jump out, and its variables stay inside it.
    """
    if not branches:
        raise DefinitionError("parallel() needs at least one branch")
    step = state_step(
        "Task",
        "Parallel",
        name,
        retry,
        catch,
        comment=comment,
        query_language=query_language,
        input_path=path_value(input_path, "parallel(input_path=)"),
        parameters=parameters,
        arguments=arguments,
        result_selector=result_selector,
        result_path=path_value(result_path, "parallel(result_path=)"),
        output_path=path_value(output_path, "parallel(output_path=)"),
        output=output,
        assign=assign_value(assign),
    )
    return ParallelStep(
        branches=tuple(as_step(b) for b in branches),
        name=step.name,
        named=step.named,
        fields=step.fields,
        dynamic=step.dynamic,
        retriers=step.retriers,
        catches=step.catches,
    )


@sparse
@attrs.frozen(kw_only=True, slots=False)
class MapStep(Retryable):
    """A Map state: run ``iterator`` once per item; the output is the list of the iterations' outputs."""

    iterator: Step
    name: str = "Map"
    named: bool = False
    fields: dict[str, Json] = attrs.field(factory=dict, hash=False)
    dynamic: bool = False
    processor_config: Json = ABSENT
    retriers: tuple[Retrier, ...] = ()
    catches: tuple[Catch, ...] = ()

    def named_as(self, name: str) -> MapStep:
        """This map under another state name."""
        return attrs.evolve(self, name=check_name(name, "map_()"), named=True)

    def _what(self) -> str:
        return f"map {self.name!r}"


def map_(
    iterator: Step | Sequence[Step],
    *,
    items_path: Json = ABSENT,
    items: Json = ABSENT,
    item_selector: Json = ABSENT,
    parameters: Json = ABSENT,
    max_concurrency: Json = ABSENT,
    max_concurrency_path: Json = ABSENT,
    tolerated_failure_percentage: Json = ABSENT,
    tolerated_failure_percentage_path: Json = ABSENT,
    tolerated_failure_count: Json = ABSENT,
    tolerated_failure_count_path: Json = ABSENT,
    item_reader: Json = ABSENT,
    item_batcher: Json = ABSENT,
    result_writer: Json = ABSENT,
    label: Json = ABSENT,
    mode: str | None = None,
    execution_type: str | None = None,
    legacy_iterator: bool = False,
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    result_selector: Json = ABSENT,
    result_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
    retry: Retrier | Iterable[Retrier] | None = None,
    catch: Catch | Iterable[Catch] | None = None,
) -> MapStep:
    """Run *iterator* (a step or list of steps) once per item of ``items_path``/``items`` (default: the input).

    ``items=data.dragons`` is ``ItemsPath`` in JSONPath and ``Items`` in JSONata. ``item_selector`` shapes each
    iteration's input (``ctx.Map.Item.Value``, ``ctx.Map.Item.Index``). ``mode="DISTRIBUTED"`` (with
    ``execution_type``, default ``"STANDARD"``) makes a Distributed Map, as does giving ``item_reader``,
    ``item_batcher``, ``result_writer``, ``label`` or a tolerated failure; ``mode="INLINE"`` writes
    ``ProcessorConfig`` explicitly. ``legacy_iterator=True`` writes the processor as ``Iterator``, the field's
    name before ``ItemProcessor`` (to keep an imported definition as it was).
    """
    distributed_options = (
        item_reader,
        item_batcher,
        result_writer,
        label,
        tolerated_failure_percentage,
        tolerated_failure_percentage_path,
        tolerated_failure_count,
        tolerated_failure_count_path,
    )
    if mode is None and any(option is not ABSENT for option in distributed_options):
        mode = "DISTRIBUTED"
    if mode not in (None, "INLINE", "DISTRIBUTED"):
        raise DefinitionError(f"map_(mode={mode!r}): mode is 'INLINE' or 'DISTRIBUTED'")
    config: Json = ABSENT
    if mode is not None or execution_type is not None:
        config = {"Mode": mode or "INLINE"}
        if execution_type is not None or mode == "DISTRIBUTED":
            config["ExecutionType"] = execution_type or "STANDARD"
    if items is not ABSENT and items_path is not ABSENT:
        raise DefinitionError("map_() takes items= or items_path=, not both")
    step = state_step(
        "Task",
        "Map",
        name,
        retry,
        catch,
        comment=comment,
        query_language=query_language,
        input_path=path_value(input_path, "map_(input_path=)"),
        items_path=path_value(items_path, "map_(items_path=)"),
        items=items,
        item_reader=item_reader,
        item_selector=item_selector,
        parameters=parameters,
        item_batcher=item_batcher,
        max_concurrency=max_concurrency,
        max_concurrency_path=max_concurrency_path,
        tolerated_failure_percentage=tolerated_failure_percentage,
        tolerated_failure_percentage_path=tolerated_failure_percentage_path,
        tolerated_failure_count=tolerated_failure_count,
        tolerated_failure_count_path=tolerated_failure_count_path,
        label=label,
        result_writer=result_writer,
        result_selector=result_selector,
        result_path=path_value(result_path, "map_(result_path=)"),
        output_path=path_value(output_path, "map_(output_path=)"),
        output=output,
        assign=assign_value(assign),
        iterator_field="Iterator" if legacy_iterator else ABSENT,  # the sfnkit.states.Map field
    )
    return MapStep(
        iterator=as_step(iterator),
        name=step.name,
        named=step.named,
        fields=step.fields,
        dynamic=step.dynamic,
        processor_config=config,
        retriers=step.retriers,
        catches=step.catches,
    )
