"""Step tree -> StateMachine: place every step, name its state, wire the transitions, freeze the result.

Three passes, none recursive (a 10,000-step chain builds at Python's default recursion limit, in linear time):

1. *place*: flatten each sequence of steps and link every occurrence to what follows it (the next step, the
   continuation after a choice branch or catch handler, a ``goto`` target, or nothing: ``End``);
2. *name*: visit the occurrences in reading order (a step, then its branches, then what follows) and give each
   a state name unique in the whole machine;
3. *emit*: turn each occurrence into its ``sfnkit.states`` IR and edges, innermost ``States`` blocks first so that a
   Parallel or Map state can hold its finished branches.

Naming: a state is named after its step (``name=``, the function name for ``@lambda_fn``, else the kind:
``Pass``, ``Wait``...). The same step used again (the same ``@lambda_fn`` function, or an equal step value) gets
``_2``, ``_3``... in reading order: ``ValidateDragon``, ``ValidateDragon_2``. Steps with default names are numbered
the same way. Two *different* steps given the same name are a ``DefinitionError`` that names both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sfnkit.builder.fields import JSONATA, JSONPATH, Json, _check_language, _condition, _render_field, _resolve
from sfnkit.builder.lambda_tasks import _lambda_fields
from sfnkit.conditions import Compare, Path
from sfnkit.dsl import Catch, Chain, ChoiceStep, Goto, LambdaStep, MapStep, ParallelStep, StateStep, Step
from sfnkit.errors import DefinitionError
from sfnkit.machine import Edges, StateMachine, Transition
from sfnkit.states import ABSENT, Catcher, Choice, ChoiceRule, Fail, Map, Parallel, Pass, State, Succeed, Task, Wait

_NEXT: Final = Transition(kind="Next")
_DEFAULT: Final = Transition(kind="Default")
_SIMPLE: Final = {"Task": Task, "Pass": Pass, "Wait": Wait, "Succeed": Succeed, "Fail": Fail}


class _Scope:
    """One ``States`` block: the top level, a Parallel branch, or a Map item processor."""

    __slots__ = ("gotos", "head", "machine", "occs")

    def __init__(self) -> None:
        self.occs: list[_Occ] = []  # in reading order (filled by pass 2)
        self.head: _Occ | str | None = None
        self.machine: StateMachine | None = None
        self.gotos: list[tuple[str, str]] = []  # (from state, target) to check once the block is named


class _Occ:
    """One place where a step sits: its state name and what comes after it."""

    __slots__ = ("after", "extra", "kids", "name", "scope", "step")

    def __init__(self, step: Step, scope: _Scope) -> None:
        self.step = step
        self.scope = scope
        self.after: _Occ | str | None = None
        self.kids: list[_Seq | None] = []
        self.name = ""
        self.extra = ""  # the name of the Pass that unwraps a Lambda Payload at a result_path


class _Seq:
    """Steps in a row; ``head`` is where the row starts (its first occurrence, or a goto target)."""

    __slots__ = ("head", "occs")

    def __init__(self, head: _Occ | str | None, occs: list[_Occ]) -> None:
        self.head = head
        self.occs = occs


class _Builder:
    """The state of one build: the blocks opened so far, the sequences still to place, the names in use."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.scopes: list[_Scope] = []
        self.pending: list[_Seq] = []  # sequences whose occurrences' children are still to be placed
        self.bases: set[str] = set()

    def new_scope(self) -> _Scope:
        scope = _Scope()
        self.scopes.append(scope)
        return scope

    def sequence(self, flow: Step, after: _Occ | str | None, scope: _Scope) -> _Seq:
        """Place the steps of *flow* in a row in *scope*, the last one followed by *after*."""
        kind = type(flow)
        if kind is Goto:  # a branch that only jumps: no state, its head is the target
            return _Seq(flow.target, [])  # type: ignore[attr-defined]
        if kind is not Chain:  # a single step (choice branches mostly are)
            occ = _Occ(flow, scope)
            occ.after = after
            self.bases.add(flow.name)  # type: ignore[attr-defined]
            seq = _Seq(occ, [occ])
            self.pending.append(seq)
            return seq
        steps = flow.steps()  # type: ignore[attr-defined]
        occs: list[_Occ] = []
        head: _Occ | str | None = None
        last = len(steps) - 1
        bases = self.bases
        for position, step in enumerate(steps):
            if isinstance(step, Goto):
                if position != last:
                    raise DefinitionError(
                        f"{steps[position + 1]._what()} follows {step._what()} and can never run; "
                        "a goto must end its sequence (and so must end())"
                    )
                if occs:
                    occs[-1].after = step.target
                else:
                    head = step.target
                break
            if position != last and type(step) is StateStep and step.kind in ("Succeed", "Fail"):
                raise DefinitionError(
                    f"{steps[position + 1]._what()} follows {step._what()}, which ends the workflow, so it can "
                    "never run; remove it or move it before"
                )
            occ = _Occ(step, scope)
            bases.add(step.name)
            if occs:
                occs[-1].after = occ
            occs.append(occ)
        else:
            if occs:
                occs[-1].after = after
        if occs:
            head = occs[0]
        seq = _Seq(head, occs)
        self.pending.append(seq)
        return seq

    def block(self, flow: Step, owner: Step) -> _Seq:
        """A Parallel branch or Map processor: a new States block of its own."""
        scope = self.new_scope()
        seq = self.sequence(flow, None, scope)
        if not seq.occs:
            only = "end()" if seq.head is None else f"goto({seq.head!r})"
            raise DefinitionError(f"{owner._what()}: a branch cannot be only {only}; it needs a state")
        scope.head = seq.head
        return seq

    def place(self, flow: Step) -> _Seq:
        scope = self.new_scope()
        root = self.sequence(flow, None, scope)
        scope.head = root.head
        pending = self.pending
        while pending:
            for occ in pending.pop().occs:
                step = occ.step
                if type(step) is StateStep and not step.catches:
                    continue  # no branches, no handlers: the common case
                if isinstance(step, ChoiceStep):
                    occ.kids = [self.sequence(branch.then, occ.after, occ.scope) for branch in step.branches]
                    other = step.otherwise
                    occ.kids.append(None if other is None else self.sequence(other, occ.after, occ.scope))
                    continue  # a Choice has no handlers
                if isinstance(step, ParallelStep):
                    occ.kids = [self.block(branch, step) for branch in step.branches]
                elif isinstance(step, MapStep):
                    occ.kids = [self.block(step.iterator, step)]
                catches: tuple[Catch, ...] = getattr(step, "catches", ())
                for handler in catches:
                    if handler.then is None:
                        if occ.after is None:
                            raise DefinitionError(
                                f"{step._what()}: catch({list(handler.errors)}) has no then= and nothing follows "
                                "the step, so there is nowhere to go on that error; give then=succeed() or a handler"
                            )
                        occ.kids.append(None)
                    else:
                        occ.kids.append(self.sequence(handler.then, occ.after, occ.scope))
        return root

    # --- pass 2: name ---------------------------------------------------------------------------------------

    def name_all(self, root: _Seq) -> dict[str, LambdaStep[..., Any]]:
        """Name every occurrence in reading order; return the Lambda functions by function name."""
        taken: set[str] = set()
        owners: dict[str, Step] = {}
        counters: dict[str, int] = {}
        lambdas: dict[str, LambdaStep[..., Any]] = {}
        bases = self.bases
        stack = [iter(root.occs)]
        while stack:
            occ = next(stack[-1], None)
            if occ is None:
                stack.pop()
                continue
            step = occ.step
            base: str = step.name  # type: ignore[attr-defined]
            owner = owners.get(base)
            if owner is None:
                owners[base] = step
                name = base
            else:
                if step is not owner and step.named and owner.named and not _same(step, owner):  # type: ignore[attr-defined]
                    raise DefinitionError(
                        f"Two different steps are both named {base!r}: {_describe(owner)} and {_describe(step)}. "
                        "Give one of them another name (name=..., or .named_as(...)); the same step used twice "
                        f"is fine and is numbered ({base}, {base}_2)."
                    )
                number = counters.get(base, 1) + 1
                while f"{base}_{number}" in taken or f"{base}_{number}" in bases:
                    number += 1
                counters[base] = number
                name = f"{base}_{number}"
            if name in taken:  # an explicit "X_2" met a numbered X_2 placed before it
                raise DefinitionError(f"state name {name!r} is used twice; rename {step._what()}")
            taken.add(name)
            occ.name = name
            occ.scope.occs.append(occ)
            if isinstance(step, LambdaStep):
                known = lambdas.get(step.function_name)
                if known is not None and known.fn is not step.fn:
                    raise DefinitionError(
                        f"Lambda function name {step.function_name!r} is used by two different Python functions: "
                        f"{known._what()} and {step._what()}; give one of them function_name=..."
                    )
                lambdas[step.function_name] = step
                if self._unwraps(step):
                    occ.extra = f"{name}.Payload"
                    if occ.extra in taken or occ.extra in bases:
                        raise DefinitionError(f"state name {occ.extra!r} is needed for {step._what()}; rename yours")
                    taken.add(occ.extra)
            if occ.kids:
                for seq in reversed(occ.kids):
                    if seq is not None and seq.occs:  # a goto branch places no state
                        stack.append(iter(seq.occs))
        return lambdas

    def language_of(self, step: Step) -> str:
        fields: Mapping[str, Json] = getattr(step, "fields", {})
        language: str = fields.get("query_language") or self.language
        return language

    def _unwraps(self, step: LambdaStep[..., Any]) -> bool:
        # JSONPath: a result_path other than $ or null needs a Pass to move the Payload there (see lambda_fn).
        if self.language_of(step) != JSONPATH or "result_selector" in step.fields:
            return False
        result_path = step.fields.get("result_path", ABSENT)
        if isinstance(result_path, Path):
            result_path = result_path.expression
        return result_path not in (ABSENT, None, "$")

    # --- pass 3: emit ---------------------------------------------------------------------------------------

    def emit(self) -> None:
        """Make every block's StateMachine, innermost first."""
        for scope in reversed(self.scopes):  # inner blocks were opened after their parents
            states: dict[str, State] = {}
            edges: dict[str, Edges] = {}
            for occ in scope.occs:
                self.emit_one(occ, states, edges)
            names = states.keys()
            for source, target in scope.gotos:
                if target not in names:
                    raise DefinitionError(
                        f"goto({target!r}) from {source!r}: there is no state {target!r} in this States block "
                        f"(it has {', '.join(sorted(names))}); a goto cannot leave a Parallel branch or Map iteration"
                    )
            head = scope.head
            start = head.name if isinstance(head, _Occ) else head
            scope.machine = StateMachine(start_at=start or "", states=states, edges=edges)

    def target(self, occ: _Occ, where: _Occ | str | None) -> str | None:
        """The state name *where* stands for (a goto target is checked once its block is complete)."""
        if isinstance(where, _Occ):
            return where.name
        if isinstance(where, str):
            occ.scope.gotos.append((occ.name, where))
        return where

    def emit_one(self, occ: _Occ, states: dict[str, State], edges: dict[str, Edges]) -> None:
        """Add the state(s) of *occ* and their out-transitions, in ASL order, to its block."""
        step = occ.step
        name = occ.name
        language = step.fields.get("query_language") or self.language  # type: ignore[attr-defined]
        if type(step) is StateStep and not step.catches and not step.retriers:
            # The common case, kept lean: a Pass/Task/Wait/Succeed/Fail without Catch (bench_build.py).
            fields = _resolve(step.fields, step.dynamic, language, step) if step.dynamic else step.fields
            if "request" in fields:
                fields = dict(fields)
                fields["parameters" if language == JSONPATH else "arguments"] = fields.pop("request")
            if not step.dynamic:
                _check_language(fields, language, step)
            states[name] = _SIMPLE[step.kind](**fields)
            after = occ.after
            if after is not None and step.kind != "Succeed" and step.kind != "Fail":
                if isinstance(after, _Occ):
                    edges[name] = ((_NEXT, after.name),)
                else:
                    occ.scope.gotos.append((name, after))
                    edges[name] = ((_NEXT, after),)
            return
        out: list[tuple[Transition, str]] = []
        state: State
        if isinstance(step, ChoiceStep):  # first: the most common state after the simple ones
            fields = _resolve(step.fields, step.dynamic, language, step) if step.dynamic else step.fields
            if not step.dynamic:
                _check_language(fields, language, step)
            otherwise = occ.kids[len(step.branches)]
            default = self.target(occ, otherwise.head if otherwise is not None else occ.after)
            if default is not None:
                out.append((_DEFAULT, default))
            rules = []
            for position, branch in enumerate(step.branches):
                condition = branch.condition
                if type(condition) is not Compare or language != JSONPATH:
                    condition = _condition(condition, language, f"{name}.Choices[{position}]")
                rule = ChoiceRule(
                    condition=condition,
                    assign=ABSENT
                    if branch.assign is ABSENT
                    else _render_field("assign", branch.assign, language, step),
                    output=ABSENT
                    if branch.output is ABSENT
                    else _render_field("output", branch.output, language, step),
                    comment=branch.comment,
                )
                rules.append(rule)
                seq = occ.kids[position]
                assert seq is not None
                goal = self.target(occ, seq.head)
                if goal is None:
                    raise DefinitionError(
                        f"{name}.Choices[{position}]: when(..., then=end()) leaves the rule nowhere to go; "
                        "a Choice rule needs a state (then=succeed() ends the workflow)"
                    )
                out.append((Transition(kind="Choice", order=position, rule=rule), goal))
            state = Choice(choices=tuple(rules), **fields)
            after = None
        elif isinstance(step, StateStep):
            fields = _resolve(step.fields, step.dynamic, language, step)
            if "request" in fields:
                fields["parameters" if language == JSONPATH else "arguments"] = fields.pop("request")
            cls = _SIMPLE[step.kind]
            if step.kind == "Task" and (step.retriers or step.catches):
                fields["retry"] = step.retriers or None
                fields["catch"] = self.catchers(occ, step.catches, language, out)
            state = cls(**fields)
            after = None if step.kind in ("Succeed", "Fail") else self.target(occ, occ.after)
        elif isinstance(step, LambdaStep):
            fields, unwrap_output = _lambda_fields(step, language, occ.extra)
            if step.retriers or step.catches:
                fields["retry"] = step.retriers or None
                fields["catch"] = self.catchers(occ, step.catches, language, out)
            state = Task(**fields)
            after = self.target(occ, occ.after)
            if occ.extra:
                result_path = fields["result_path"]
                unwrap = Pass(input_path=f"{result_path}.Payload", result_path=result_path, output_path=unwrap_output)
                states[name] = state
                edges[name] = ((_NEXT, occ.extra), *out)
                states[occ.extra] = unwrap
                if after is not None:
                    edges[occ.extra] = ((_NEXT, after),)
                return
        elif isinstance(step, ParallelStep):
            fields = _resolve(step.fields, step.dynamic, language, step)
            count = len(step.branches)
            branches = tuple(_machine(seq) for seq in occ.kids[:count])
            if step.retriers or step.catches:
                fields["retry"] = step.retriers or None
                fields["catch"] = self.catchers(occ, step.catches, language, out, skip=count)
            state = Parallel(branches=branches, **fields)
            after = self.target(occ, occ.after)
        elif isinstance(step, MapStep):
            fields = _resolve(step.fields, step.dynamic, language, step)
            processor = _machine(occ.kids[0])
            if step.retriers or step.catches:
                fields["retry"] = step.retriers or None
                fields["catch"] = self.catchers(occ, step.catches, language, out, skip=1)
            state = Map(item_processor=processor, processor_config=step.processor_config, **fields)
            after = self.target(occ, occ.after)
        else:  # pragma: no cover - the DSL makes no other steps
            raise DefinitionError(f"{step!r} is not a step sfnkit can build")
        states[name] = state
        if after is not None:
            out.insert(0, (_NEXT, after))
        if out:
            edges[name] = tuple(out)

    def catchers(
        self,
        occ: _Occ,
        catches: tuple[Catch, ...],
        language: str,
        out: list[tuple[Transition, str]],
        skip: int = 0,
    ) -> tuple[Catcher, ...] | None:
        if not catches:
            return None
        made = []
        step = occ.step
        for position, handler in enumerate(catches):
            if language == JSONATA and handler.result_path is not ABSENT:
                raise DefinitionError(
                    f"{step._what()}: catch(result_path=) is JSONPath; in a JSONata state use output= "
                    "(e.g. output=jsonata(\"$merge([$states.input, {'error': $states.errorOutput}])\"))"
                )
            if language == JSONPATH and handler.output is not ABSENT:
                raise DefinitionError(
                    f"{step._what()}: catch(output=) is JSONata; in a JSONPath state use result_path="
                )
            result_path = handler.result_path
            catcher = Catcher(
                error_equals=handler.errors,
                result_path=result_path.expression if isinstance(result_path, Path) else result_path,
                output=_render_field("output", handler.output, language, step),
                assign=_render_field("assign", handler.assign, language, step),
                comment=handler.comment,
            )
            made.append(catcher)
            seq = occ.kids[skip + position]
            goal = self.target(occ, seq.head if seq is not None else occ.after)
            if goal is None:
                raise DefinitionError(
                    f"{step._what()}: catch(then=end()) leaves the catcher nowhere to go; a Catch needs a state "
                    "(then=succeed() ends the workflow)"
                )
            out.append((Transition(kind="Catch", order=position, catcher=catcher), goal))
        return tuple(made)


def _describe(step: Step) -> str:
    """*step* in a few words that tell it from another step of the same name."""
    if isinstance(step, StateStep | ChoiceStep | ParallelStep | MapStep):
        fields = ", ".join(f"{key}={value!r}" for key, value in step.fields.items())
        text = f"{step._what()} ({fields})" if fields else step._what()
        return text if len(text) <= 160 else text[:157] + "..."
    return step._what()


def _same(one: Step, other: Step) -> bool:
    if isinstance(one, LambdaStep) and isinstance(other, LambdaStep):
        return one.fn is other.fn
    return one == other


def _machine(seq: _Seq | None) -> StateMachine:
    assert seq is not None and seq.occs, "a branch has at least one state"
    machine = seq.occs[0].scope.machine
    assert machine is not None
    return machine
