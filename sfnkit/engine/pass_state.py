"""The Pass state: the input, Parameters or the static Result, placed by ResultPath (ASL: Pass State), with
its common forms compiled to one closure or a field pick (one fused trace record each).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sfnkit.asl import dataflow as df
from sfnkit.asl.failures import (
    StatesError,
)
from sfnkit.asl.paths import input_keys
from sfnkit.asl.scope import Json, Scope
from sfnkit.asl.templates import compile_direct_template, compile_direct_value
from sfnkit.engine.loop import (
    RunState,
    Strand,
    json_size,
)
from sfnkit.engine.node import Node, assign_variables, io_growth, sum_growth, template_growth
from sfnkit.execution import FUSED
from sfnkit.lambdas import (
    MAX_PAYLOAD_BYTES,
)


class PassNode(Node):
    """Pass: the input, Parameters or the static Result, placed by ResultPath (ASL: Pass State)."""

    __slots__ = ("computed", "constant", "fast", "grow_add", "grow_mult", "io", "pick_base", "pick_into", "picks")

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        self.io = df.compile_state_io(state, language, location)
        self.fast: Callable[[Json, Mapping[str, Json]], Json] | None = None
        self.pick_base: dict[str, Json] | None = None
        self.picks: tuple[tuple[str, str], ...] = ()
        self.computed: tuple[tuple[str, Callable[[Json], Json]], ...] | None = None
        self.pick_into: str | None = None
        if language == "JSONPath":
            if "Result" in state:
                result = (0, json_size(state["Result"]), False)
            elif "Parameters" in state:
                result = template_growth(state["Parameters"])
            else:
                result = (1, 0, False)
            self.growth = io_growth(state, language, result)
            if "Assign" in state:
                self.growth = sum_growth(self.growth, (0, 0, template_growth(state["Assign"])[2]))
            elif not self.needs_context and not self.growth[2]:
                assert isinstance(self.io, df.JsonPathIO)
                self._compile_picks(state)
                if self.pick_base is None:  # (a picking Pass falls back to the general path, which is exact)
                    self.fast = _pass_steps(self.io, state)
        else:
            self.growth = (1, 0, True)
        self.grow_mult, self.grow_add = self.growth[0], self.growth[1]
        # a static Result replacing the input (``"Result": "hi", "End": true``): the output is that value, its size
        # known; held in a 1-tuple (None is a Result too)
        self.constant: tuple[Json] | None = None
        io = self.io
        if (
            self.fast is not None
            and isinstance(io, df.JsonPathIO)
            and io.has_result
            and io.output_path is None
            and state.get("ResultPath", "$") == "$"
            and self.grow_mult == 0
            and self.grow_add <= MAX_PAYLOAD_BYTES
        ):
            self.constant = (io.result,)

    def _compile_picks(self, state: Mapping[str, Json]) -> None:
        """The most common Pass: Parameters of constants and top-level input fields (``"v.$": "$.v"``), the result
        replacing the input or set at one key (``"$.last"``), nothing else. Its data lives in the node's own slots:
        one function does the whole state, touching few objects (machines of 10,000 states stay cache-friendly)."""
        io = self.io
        assert isinstance(io, df.JsonPathIO)
        template = state.get("Parameters")
        if io.has_result or io.input_path is not None or io.output_path is not None or not isinstance(template, dict):
            return
        target = state.get("ResultPath", "$")
        into = None
        if target != "$":  # (null keeps the input: not this form)
            into = input_keys(target)
            if into is None or len(into) != 1:
                return
        base: dict[str, Json] = {}
        picks: list[tuple[str, str]] = []
        computed: list[tuple[str, Callable[[Json], Json]]] = []
        for key, value in template.items():
            if key.endswith(".$"):
                keys = input_keys(value)
                base[key[:-2]] = None  # a placeholder: the copy keeps the definition's key order
                if keys is not None and len(keys) == 1:
                    picks.append((key[:-2], keys[0]))
                    continue
                # a deeper path or a counter (States.MathAdd($.i, 1)): one function of the input
                get = compile_direct_value(value)
                if get is None:
                    return
                computed.append((key[:-2], get))
            elif _mentions_dollar_key(value):
                return
            else:
                base[key] = value
        self.pick_base, self.picks = base, tuple(picks)
        self.computed = tuple(computed) if computed else None
        self.pick_into = into[0] if into is not None else None

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        constant = self.constant
        if constant is not None and run.virtual:
            out: Json = constant[0]
            strand.bound = self.grow_add
            t = strand.timeline.now
            rec = strand.rec
            rec.trace.append((FUSED, self.name, "Pass", strand.chain, t, raw, t, out, None))
            rec.count += 2
            return self.next, out
        base = self.pick_base
        if base is not None and type(raw) is dict and run.virtual:
            picked = base.copy()
            try:
                for name, key in self.picks:
                    picked[name] = raw[key]
                computed = self.computed
                if computed is not None:
                    for name, get in computed:
                        picked[name] = get(raw)
            except (KeyError, TypeError):  # a missing field: the general path below raises AWS's error
                pass
            else:
                into = self.pick_into
                if into is None:
                    out = picked
                else:
                    out = raw.copy()
                    out[into] = picked
                t = strand.timeline.now
                bound = strand.bound
                if strand.var_bound > bound:
                    bound = strand.var_bound
                bound = self.grow_mult * bound + self.grow_add
                if bound > MAX_PAYLOAD_BYTES:
                    try:
                        self.check_size(run, strand, out)
                    except StatesError as err:
                        raise self.failed(run, strand, raw, t, err) from None
                else:
                    strand.bound = bound
                rec = strand.rec
                rec.trace.append((FUSED, self.name, "Pass", strand.chain, t, raw, t, out, None))
                rec.count += 2
                return self.next, out
        fast = self.fast
        if fast is not None and run.virtual:
            # The common JSONPath Pass (no $$, no Assign, a bounded size): one closure, no branches on fields.
            t = strand.timeline.now
            try:
                out = fast(raw, strand.variables)
                mult, add, _exact = self.growth
                bound = strand.bound
                if strand.var_bound > bound:
                    bound = strand.var_bound
                bound = mult * bound + add
                if bound > MAX_PAYLOAD_BYTES:
                    self.check_size(run, strand, out)
                else:
                    strand.bound = bound
            except StatesError as err:
                raise self.failed(run, strand, raw, t, err) from None
            rec = strand.rec
            rec.trace.append((FUSED, self.name, "Pass", strand.chain, t, raw, t, out, None))
            rec.count += 2
            return self.next, out
        timeline = strand.timeline
        t = timeline.now if run.virtual else run.clock.tick(timeline)
        try:
            context = self.context(run, t) if self.needs_context else None
            variables = strand.variables
            io = self.io
            if isinstance(io, df.JsonPathIO):
                # InputPath -> Parameters (or the static Result) -> ResultPath -> OutputPath, without indirections
                if io.has_result:
                    result = io.result
                else:
                    result = raw if io.input_path is None else io.input_path(Scope(raw, context, variables))
                    if io.parameters is not None:
                        result = io.parameters(Scope(result, context, variables))
                assigned = None if io.assign is None else io.assign(Scope(result, context, variables))
                out = io.result_path(raw, result)
                if io.output_path is not None:
                    out = io.output_path(Scope(out, context, variables))
            else:
                out, assigned = io.finish(raw, raw, context, variables, run.jsonata_runtime, with_result=False)
            mult, add, exact = self.growth
            bound = strand.bound
            if run.ctx_bound > bound and self.needs_context:
                bound = run.ctx_bound
            if strand.var_bound > bound:
                bound = strand.var_bound
            bound = mult * bound + add
            if exact or bound > MAX_PAYLOAD_BYTES:
                self.check_size(run, strand, out)
            else:
                strand.bound = bound
            if assigned:
                assign_variables(strand, assigned, self, run)
        except StatesError as err:
            raise self.failed(run, strand, raw, t, err) from None
        rec = strand.rec
        rec.trace.append((FUSED, self.name, "Pass", strand.chain, t, raw, t, out, assigned))
        rec.count += 2
        return self.next, out


def _mentions_dollar_key(value: Json) -> bool:
    """Whether a constant-looking template value holds a ``.$`` key at some depth (then it is evaluated)."""
    if isinstance(value, dict):
        return any(key.endswith(".$") or _mentions_dollar_key(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_mentions_dollar_key(item) for item in value)
    return False


def _pass_steps(io: df.JsonPathIO, state: Mapping[str, Json]) -> Callable[[Json, Mapping[str, Json]], Json]:
    """One closure doing a JSONPath Pass's InputPath → Parameters/Result → ResultPath → OutputPath."""
    input_path, parameters, result_path, output_path = io.input_path, io.parameters, io.result_path, io.output_path
    target = state.get("ResultPath", "$")
    # ResultPath "$" (or absent) replaces the input; "$.name" sets one key of a copy (other forms: result_path)
    replaces = target == "$"
    keys = None if replaces or target is None else input_keys(target)
    key = keys[0] if keys is not None and len(keys) == 1 else None
    if io.has_result:
        constant = io.result
        if output_path is None and replaces:

            def static_output(raw: Json, variables: Mapping[str, Json]) -> Json:
                return constant

            return static_output
        if output_path is None:

            def static(raw: Json, variables: Mapping[str, Json]) -> Json:
                return result_path(raw, constant)

            return static

        def static_selected(raw: Json, variables: Mapping[str, Json]) -> Json:
            return output_path(Scope(result_path(raw, constant), None, variables))

        return static_selected
    if input_path is None and output_path is None and parameters is not None:

        def templated(raw: Json, variables: Mapping[str, Json]) -> Json:
            return result_path(raw, parameters(Scope(raw, None, variables)))

        fill = compile_direct_template(state.get("Parameters"))
        if fill is None:
            return templated
        # Plain input paths: filled straight from the input; a path that misses (KeyError/TypeError) falls back
        # to the full template, which raises AWS's error.
        if replaces:

            def filled(raw: Json, variables: Mapping[str, Json]) -> Json:
                try:
                    return fill(raw)
                except (KeyError, TypeError):
                    return templated(raw, variables)

            return filled
        if key is not None:

            def filled_into(raw: Json, variables: Mapping[str, Json]) -> Json:
                if type(raw) is dict:
                    try:
                        result = fill(raw)
                    except (KeyError, TypeError):
                        pass
                    else:
                        out = raw.copy()
                        out[key] = result
                        return out
                return templated(raw, variables)

            return filled_into
        return templated

    def general(raw: Json, variables: Mapping[str, Json]) -> Json:
        result = raw if input_path is None else input_path(Scope(raw, None, variables))
        if parameters is not None:
            result = parameters(Scope(result, None, variables))
        out = result_path(raw, result)
        return out if output_path is None else output_path(Scope(out, None, variables))

    return general
