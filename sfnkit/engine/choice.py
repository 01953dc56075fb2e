"""The Choice state: the first rule that holds picks the next state, else Default (ASL: Choice State)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sfnkit.asl import dataflow as df
from sfnkit.asl.failures import (
    NO_CHOICE_MATCHED,
    StatesError,
)
from sfnkit.asl.jsonata import QueryEvaluationError, compile_template
from sfnkit.asl.jsonata_values import json_type
from sfnkit.asl.rules import compile_direct_rule, compile_rule
from sfnkit.asl.scope import Json, Scope
from sfnkit.engine.loop import (
    RunState,
    Strand,
)
from sfnkit.engine.node import Node, assign_variables
from sfnkit.execution import FUSED


class ChoiceNode(Node):
    """Choice: the first rule that holds picks the next state, else Default (ASL: Choice State)."""

    __slots__ = (
        "_direct_tests",
        "_simple_ok",
        "choices",
        "default",
        "default_name",
        "direct",
        "io",
        "rules",
        "simple",
    )

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        self.io = df.compile_state_io(state, language, location)
        self.default_name = state.get("Default") if isinstance(state.get("Default"), str) else None
        self.default: Node | None = None
        choices: list[Any] = []
        self._direct_tests: list[Callable[[Json], bool] | None] = []
        for n, rule in enumerate(state.get("Choices") or []):
            where = f"{location}.Choices[{n}]"
            if language == "JSONata":
                condition = rule.get("Condition", True)
                test: Any = compile_template(condition, location=f"{where}.Condition", field="Condition")
                rule_io: Any = df.JsonataIO(rule, where)
            else:
                test = compile_rule({k: v for k, v in rule.items() if k not in ("Next", "Assign")}, location=where)
                rule_io = df.compile_template_field(rule.get("Assign", df.ABSENT), "Assign", where)
                self._direct_tests.append(compile_direct_rule(rule))
            choices.append([test, rule.get("Next"), None, rule_io])
        self.choices = choices
        self.rules: tuple[Mapping[str, Json], ...] = tuple(state.get("Choices") or ())  # as written (fused chains)
        # without an Output (the state's, or a rule's) a JSONata Choice passes its input on, as a JSONPath one
        # passes a part of it: the output cannot grow and needs no measuring
        rules = state.get("Choices") or ()
        outputs = "Output" in state or any(isinstance(rule, dict) and "Output" in rule for rule in rules)
        self.growth = (1, 0, (language == "JSONata" and outputs) or "Assign" in json.dumps(state))
        # the common JSONPath Choice: no $$, no Assign, no InputPath/OutputPath (rules and targets only)
        self.simple: tuple[tuple[Callable[[Scope], bool], Node | None], ...] | None = None
        # ... whose rules all read plain input paths: tested on the input itself
        self.direct: tuple[tuple[Callable[[Json], bool], Node | None], ...] | None = None
        self._simple_ok = (
            language == "JSONPath"
            and not self.needs_context
            and not self.growth[2]
            and not ({"InputPath", "OutputPath"} & set(state))
        )

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        direct = self.direct
        if direct is not None and run.virtual:
            try:
                if len(direct) == 1:  # (the common Choice: one rule and a Default)
                    holds, chosen = direct[0]
                    if not holds(raw):
                        chosen = self.default
                else:
                    chosen = self.default
                    for holds, node in direct:
                        if holds(raw):
                            chosen = node
                            break
            except (KeyError, TypeError):  # a path that misses: the full rules below raise AWS's error
                chosen = None
            if chosen is not None:
                t = strand.timeline.now
                rec = strand.rec
                rec.trace.append((FUSED, self.name, "Choice", strand.chain, t, raw, t, raw, None))
                rec.count += 2
                return chosen, raw
        simple = self.simple
        if simple is not None and run.virtual:
            t = strand.timeline.now
            scope = Scope(raw, None, strand.variables)
            try:
                target = self.default
                for test, node in simple:
                    if test(scope):
                        target = node
                        break
                else:
                    if target is None:
                        raise StatesError(NO_CHOICE_MATCHED, f"No Matches! (state '{self.name}' has no Default)")
            except StatesError as err:
                raise self.failed(run, strand, raw, t, err) from None
            rec = strand.rec
            rec.trace.append((FUSED, self.name, "Choice", strand.chain, t, raw, t, raw, None))
            rec.count += 2
            return target, raw
        t = strand.timeline.now if run.virtual else run.clock.tick(strand.timeline)
        try:
            context = self.context(run, t) if self.needs_context else None
            variables = strand.variables
            if self.language == "JSONata":
                target, out, assigned = self._jsonata(run, raw, context, variables)
            else:
                io = self.io
                assert isinstance(io, df.JsonPathIO)
                effective = raw if io.input_path is None else io.effective_input(raw, context, variables)
                scope = Scope(effective, context, variables)
                target = None
                assigned = None
                for test, _name, node, rule_assign in self.choices:
                    if test(scope):
                        target = node
                        if rule_assign is not None:
                            assigned = rule_assign(scope)
                        break
                else:
                    target = self.default
                    if target is None:
                        raise StatesError(NO_CHOICE_MATCHED, f"No Matches! (state '{self.name}' has no Default)")
                    if io.assign is not None:
                        assigned = io.assign(scope)
                out = effective if io.output_path is None else io.output_path(Scope(effective, context, variables))
            if self.growth[2]:  # JSONPath Choice output is a part of its input: it cannot grow
                self.check_size(run, strand, out)
            if assigned:
                assign_variables(strand, assigned, self, run)
        except StatesError as err:
            raise self.failed(run, strand, raw, t, err) from None
        rec = strand.rec
        rec.trace.append((FUSED, self.name, "Choice", strand.chain, t, raw, t, out, assigned))
        rec.count += 2
        return target, out

    def _jsonata(
        self, run: RunState, raw: Json, context: Json, variables: Mapping[str, Json]
    ) -> tuple[Node | None, Json, dict[str, Json] | None]:
        states = {"input": raw, "context": context}
        runtime = run.jsonata_runtime
        for test, _name, node, rule_io in self.choices:
            holds = test.evaluate(states, variables, runtime=runtime)
            if not isinstance(holds, bool):
                expression = test.expression
                shown = expression.source if expression is not None else json.dumps(test.value)
                raise QueryEvaluationError(
                    f"The JSONata expression '{shown}' specified for the field 'Condition' returned an unexpected "
                    f"result type. Expected 'boolean', but was '{json_type(holds)}' for value: {df.json_text(holds)}",
                    field="Condition",
                )
            if holds:
                out, assigned = rule_io.finish(raw, raw, context, variables, runtime, with_result=False)
                return node, out, assigned
        if self.default is None:
            raise StatesError(NO_CHOICE_MATCHED, f"No Matches! (state '{self.name}' has no Default)")
        io = self.io
        assert isinstance(io, df.JsonataIO)
        out, assigned = io.finish(raw, raw, context, variables, runtime, with_result=False)
        return self.default, out, assigned
