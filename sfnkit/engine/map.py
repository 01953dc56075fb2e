"""The Map state: the item processor per item, inline or distributed (ItemReader, ItemSelector, ItemBatcher,
MaxConcurrency, tolerated failures).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfnkit.asl import dataflow as df
from sfnkit.asl.context import ACCOUNT, REGION, context_object
from sfnkit.asl.failures import (
    EXCEED_TOLERATED_FAILURE_THRESHOLD,
    RUNTIME,
    StatesError,
)
from sfnkit.asl.itemreader import items_from, limit_items
from sfnkit.asl.jsonata import QueryEvaluationError, Template, compile_template
from sfnkit.asl.jsonata_values import json_type
from sfnkit.asl.paths import compile_path
from sfnkit.asl.scope import Json, Scope
from sfnkit.engine.children import CompileBlock, first_failure
from sfnkit.engine.loop import (
    RunState,
    Strand,
    json_size,
)
from sfnkit.engine.map_distributed import run_executions
from sfnkit.engine.map_inline import run_inline
from sfnkit.engine.node import append_record, io_growth
from sfnkit.engine.result_writer import PUT_OBJECT, Child, entries, write_results
from sfnkit.engine.retry import Attempt, RetryingNode
from sfnkit.execution import GENERIC


class MapNode(RetryingNode):
    """Map: the item processor per item (inline, or distributed with batching and tolerated failures)."""

    failed_event = "MapStateFailed"
    __slots__ = (
        "batch_input",
        "child_type",
        "distributed",
        "item_batcher",
        "item_reader",
        "item_selector",
        "items",
        "items_path",
        "label",
        "max_concurrency",
        "max_concurrency_path",
        "processor",
        "result_writer",
        "tolerated_count",
        "tolerated_count_path",
        "tolerated_percentage",
        "tolerated_percentage_path",
    )

    def __init__(
        self, name: str, state: Mapping[str, Json], language: str, location: str, top: str, compile_block: CompileBlock
    ) -> None:
        super().__init__(name, state, language, location)
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        config = processor.get("ProcessorConfig") or {}
        self.distributed = config.get("Mode") == "DISTRIBUTED"
        # each iteration of a distributed Map is a child execution of this type, with its own quotas
        self.child_type = "EXPRESS" if config.get("ExecutionType") == "EXPRESS" else "STANDARD"
        self.processor = compile_block(
            processor, top, f"{location}.ItemProcessor", repeated=True, recorded=not self.distributed
        )
        self.label = state.get("Label")
        self.items_path: Any = None
        self.items: Any = None
        self.item_selector: Any = None
        jsonata = language == "JSONata"
        if jsonata:
            if "Items" in state:
                self.items = compile_template(state["Items"], location=f"{location}.Items", field="Items")
            if "ItemSelector" in state:
                self.item_selector = compile_template(
                    state["ItemSelector"], location=f"{location}.ItemSelector", field="ItemSelector"
                )
        else:
            if "ItemsPath" in state:
                self.items_path = df.compile_select(state["ItemsPath"], field="ItemsPath", location=location)
            selector = state.get("ItemSelector", state.get("Parameters", df.ABSENT))
            if selector is not df.ABSENT:
                self.item_selector = df.compile_template_field(selector, "ItemSelector", location)
        self.max_concurrency = self._number_field(state, "MaxConcurrency", location)
        self.tolerated_count = self._number_field(state, "ToleratedFailureCount", location)
        self.tolerated_percentage = self._number_field(state, "ToleratedFailurePercentage", location)
        self.max_concurrency_path = self._path_field(state, "MaxConcurrencyPath", location)
        self.tolerated_count_path = self._path_field(state, "ToleratedFailureCountPath", location)
        self.tolerated_percentage_path = self._path_field(state, "ToleratedFailurePercentagePath", location)
        self.item_batcher = state.get("ItemBatcher")
        self.batch_input: Any = None
        if isinstance(self.item_batcher, dict) and "BatchInput" in self.item_batcher:
            if jsonata:
                self.batch_input = compile_template(
                    self.item_batcher["BatchInput"], location=f"{location}.ItemBatcher.BatchInput", field="BatchInput"
                )
            else:
                self.batch_input = df.compile_template_field(self.item_batcher["BatchInput"], "BatchInput", location)
        self.item_reader = state.get("ItemReader")
        self.result_writer = state.get("ResultWriter")
        self.growth = io_growth(state, language, (0, 0, False))

    def _number_field(self, state: Mapping[str, Json], field: str, location: str) -> Any:
        value = state.get(field)
        if self.language == "JSONata" and isinstance(value, str):
            return compile_template(value, location=f"{location}.{field}", field=field)
        return value

    def _path_field(self, state: Mapping[str, Json], field: str, location: str) -> Any:
        if field not in state:
            return None
        text = state[field]
        return (text, compile_path(text, location=f"{location}.{field}").find)

    def _jsonata_number(
        self, run: RunState, template: Template, field: str, raw: Json, context: Json, strand: Strand
    ) -> Any:
        value = template.evaluate({"input": raw, "context": context}, strand.variables, runtime=run.jsonata_runtime)
        if isinstance(value, bool) or not isinstance(value, int | float):
            expression = template.expression
            shown = expression.source if expression is not None else ""
            expected = "number" if field == "ToleratedFailurePercentage" else "integer"
            raise QueryEvaluationError(
                f"The JSONata expression '{shown}' specified for the field '{field}' returned an unexpected result "
                f"type. Expected '{expected}', but was '{json_type(value)}' for value: {df.json_text(value)}",
                field=field,
            )
        return value

    def _concurrency(self, run: RunState, raw: Json, effective: Json, context: Json, strand: Strand) -> int:
        concurrency: Any = self.max_concurrency
        if isinstance(concurrency, Template):
            concurrency = self._jsonata_number(run, concurrency, "MaxConcurrency", raw, context, strand)
        if self.max_concurrency_path is not None:
            text, find = self.max_concurrency_path
            scope = Scope(effective, context, strand.variables)
            concurrency = df.integer_from_path(find, "MaxConcurrencyPath", text, scope)
        if concurrency is not None and concurrency < 0:
            raise df.runtime_error("MaxConcurrency cannot be negative.")
        return int(concurrency or 0)

    def _tolerance(
        self, run: RunState, raw: Json, effective: Json, context: Json, strand: Strand
    ) -> tuple[int | None, float | None]:
        scope = Scope(effective, context, strand.variables)
        count: Any = self.tolerated_count
        percentage: Any = self.tolerated_percentage
        if isinstance(count, Template):
            count = self._jsonata_number(run, count, "ToleratedFailureCount", raw, context, strand)
        if isinstance(percentage, Template):
            percentage = self._jsonata_number(run, percentage, "ToleratedFailurePercentage", raw, context, strand)
        if self.tolerated_count_path is not None:
            text, find = self.tolerated_count_path
            count = df.integer_from_path(find, "ToleratedFailureCountPath", text, scope)
        if self.tolerated_percentage_path is not None:
            text, find = self.tolerated_percentage_path
            percentage = df.number_from_path(find, "ToleratedFailurePercentagePath", text, scope)
        if count is not None and count < 0:
            raise df.runtime_error("ToleratedFailureCount cannot be negative.")
        if percentage is not None and not 0 <= percentage <= 100:
            raise df.runtime_error("ToleratedFailurePercentage must be between 0 and 100.")
        return count, percentage

    def _items(self, run: RunState, raw: Json, effective: Json, context: Json, strand: Strand) -> list[Json]:
        if self.item_reader is not None:
            return self._read_items(run, raw if self.language == "JSONata" else effective, context, strand)
        if self.language == "JSONata":
            if self.items is None:
                items = raw
                if not isinstance(items, list):
                    raise QueryEvaluationError(f"Map state input must be an array but was: {df.json_text(items)}")
                return items
            value = self.items.evaluate_as(
                {"input": raw, "context": context}, strand.variables, "array", runtime=run.jsonata_runtime
            )
            return list(value)
        items = effective if self.items_path is None else self.items_path(Scope(effective, context, strand.variables))
        if not isinstance(items, list):
            raise df.runtime_error(f"Map state input must be an array but was: {df.json_text(items)}")
        return items

    def _part_arguments(
        self, run: RunState, part: Mapping[str, Json], field: str, effective: Json, context: Json, strand: Strand
    ) -> Json:
        """The evaluated ``Parameters`` (JSONPath) or ``Arguments`` (JSONata) of an ItemReader or ResultWriter."""
        if self.language == "JSONata":
            return compile_template(part.get("Arguments", {}), field=f"{field}/Arguments").evaluate(
                {"input": effective, "context": context}, strand.variables, runtime=run.jsonata_runtime
            )
        params = part.get("Parameters", {})
        if params:
            template = df.compile_template_field(params, f"{field}.Parameters", self.location)
            assert template is not None
            params = template(Scope(effective, context, strand.variables))
        return params

    def _read_items(self, run: RunState, effective: Json, context: Json, strand: Strand) -> list[Json]:
        reader = self.item_reader
        assert isinstance(reader, dict)
        resource = str(reader.get("Resource", ""))
        fn = run.services.get(resource)
        if fn is None:
            raise StatesError(
                RUNTIME,
                f"No service is bound to the ItemReader resource '{resource}' (state '{self.name}'): pass "
                f"services={{'{resource}': callable}} to sfnkit.run(), returning the list of items.",
            )
        config = reader.get("ReaderConfig") or {}
        max_items = config.get("MaxItems")
        params = self._part_arguments(run, reader, "ItemReader", effective, context, strand)
        if self.language == "JSONata":
            scope = {"input": effective, "context": context}
            if isinstance(max_items, str):
                max_items = compile_template(max_items, field="ItemReader/ReaderConfig/MaxItems").evaluate(
                    scope, strand.variables, runtime=run.jsonata_runtime
                )
        elif isinstance(config.get("MaxItemsPath"), str):
            text = config["MaxItemsPath"]
            path_scope = Scope(effective, context, strand.variables)
            max_items = df.integer_from_path(compile_path(text).find, "MaxItemsPath", text, path_scope)
        return limit_items(items_from(fn(params), config), max_items)

    def _item_inputs(
        self, run: RunState, raw: Json, effective: Json, items: list[Json], t: float, strand: Strand
    ) -> list[Json]:
        selector = self.item_selector
        if selector is None:
            return items
        variables = strand.variables
        out = []
        if self.language == "JSONata":
            for index, item in enumerate(items):
                context = self.context(run, t, map_item=(index, item))
                out.append(
                    selector.evaluate({"input": raw, "context": context}, variables, runtime=run.jsonata_runtime)
                )
            return out
        base = run.base_context
        for index, item in enumerate(items):
            context = context_object(base, self.name, t, map_item=(index, item))
            out.append(selector(Scope(effective, context, variables)))
        return out

    def _batches(
        self, run: RunState, raw: Json, effective: Json, inputs: list[Json], context: Json, strand: Strand
    ) -> list[Json]:
        batcher = self.item_batcher
        assert isinstance(batcher, dict)
        scope = Scope(effective, context, strand.variables)
        max_items = batcher.get("MaxItemsPerBatch")
        max_bytes = batcher.get("MaxInputBytesPerBatch")
        if "MaxItemsPerBatchPath" in batcher:
            text = batcher["MaxItemsPerBatchPath"]
            max_items = df.integer_from_path(compile_path(text).find, "MaxItemsPerBatchPath", text, scope)
        if "MaxInputBytesPerBatchPath" in batcher:
            text = batcher["MaxInputBytesPerBatchPath"]
            max_bytes = df.integer_from_path(compile_path(text).find, "MaxInputBytesPerBatchPath", text, scope)
        if isinstance(max_items, str) and self.language == "JSONata":
            max_items = compile_template(max_items, field="ItemBatcher/MaxItemsPerBatch").evaluate(
                {"input": raw, "context": context}, strand.variables
            )
        if isinstance(max_bytes, str) and self.language == "JSONata":
            max_bytes = compile_template(max_bytes, field="ItemBatcher/MaxInputBytesPerBatch").evaluate(
                {"input": raw, "context": context}, strand.variables
            )
        batch_input: Json = None
        if self.batch_input is not None:
            if isinstance(self.batch_input, Template):
                batch_input = self.batch_input.evaluate({"input": raw, "context": context}, strand.variables)
            else:
                batch_input = self.batch_input(scope)
        batches: list[Json] = []
        current: list[Json] = []
        current_bytes = 0
        for item in inputs:
            size = json_size(item)
            full = (isinstance(max_items, int) and max_items > 0 and len(current) >= max_items) or (
                isinstance(max_bytes, int) and max_bytes > 0 and current and current_bytes + size > max_bytes
            )
            if full:
                batches.append(self._batch(current, batch_input))
                current, current_bytes = [], 0
            current.append(item)
            current_bytes += size
        if current:
            batches.append(self._batch(current, batch_input))
        return batches

    @staticmethod
    def _batch(items: list[Json], batch_input: Json) -> Json:
        batch: dict[str, Json] = {}
        if batch_input is not None:
            batch["BatchInput"] = batch_input
        batch["Items"] = items
        return batch

    def _write_results(
        self,
        run: RunState,
        writer: Mapping[str, Json],
        children: list[Child],
        outcomes: list[Any],
        run_arn: str,
        scope: tuple[Json, Json, Strand],
    ) -> Json:
        """The Map's result under a ResultWriter: written to S3 (with a Resource), or the formatted results."""
        for child, outcome in zip(children, outcomes, strict=True):
            child.stop = outcome.end
            if outcome.error is not None:
                child.status, child.error, child.cause = "FAILED", outcome.error.error, outcome.error.cause
            elif not outcome.aborted:
                child.status, child.output = "SUCCEEDED", outcome.output
        config = writer.get("WriterConfig") or {}
        if "Resource" not in writer:  # WriterConfig alone: the formatted results are the Map's result
            return entries(children, str(config.get("Transformation") or "COMPACT"), run_arn)
        effective, context, strand = scope
        target = self._part_arguments(run, writer, "ResultWriter", effective, context, strand)
        if not isinstance(target, dict):
            target = {}
        return write_results(
            run.services.get(PUT_OBJECT), target, config, children, map_run_arn=run_arn, state=self.name
        )

    def attempt(self, run: RunState, strand: Strand, raw: Json, t: float, retry_count: int, eid: int) -> Attempt:
        rec = strand.rec
        timeline = strand.timeline
        now = timeline.now
        context = self.context(run, now, retry_count) if self.needs_context else None
        variables = strand.variables
        io = self.io
        effective = io.effective_input(raw, context, variables)
        items = self._items(run, raw, effective, context, strand)
        inputs = self._item_inputs(run, raw, effective, items, now, strand)
        if self.item_batcher is not None:
            inputs = self._batches(run, raw, effective, inputs, context, strand)
        chain = strand.chain
        # AWS-observed: MaxConcurrency is read before MapStateStarted, the tolerated failures after it
        concurrency = self._concurrency(run, raw, effective, context, strand)
        append_record(rec, (GENERIC, "MapStateStarted", chain, now, {"length": len(inputs)}, None))
        tolerated_count, tolerated_percentage = self._tolerance(run, raw, effective, context, strand)
        name = self.name
        if self.distributed:
            run_arn = (
                f"arn:aws:states:{REGION}:{ACCOUNT}:mapRun:{run.info.state_machine_name}/{self.label or name}:"
                f"{run.request_id(strand)}"
            )
            append_record(rec, (GENERIC, "MapRunStarted", chain, now, {"mapRunArn": run_arn}, None))
            writer = self.result_writer if isinstance(self.result_writer, dict) else None
            # the child executions' names and start times, for the result files (drawn only when written)
            children = [Child(run.request_id(strand), item, now) for item in inputs] if writer is not None else []

            def started(i: int, child: Strand) -> None:
                children[i].start = child.timeline.now

            executions = run_executions(
                run,
                strand,
                self.processor,
                inputs,
                concurrency=concurrency,
                execution_type=self.child_type,
                on_start=started if children else None,
                with_ends=writer is not None,
            )
            failures = len(executions.errors)
            written: Json = None
            if writer is not None:
                reader_input = raw if self.language == "JSONata" else effective
                written = self._write_results(
                    run, writer, children, executions.outcomes(), run_arn, (reader_input, context, strand)
                )
            limit_count = tolerated_count if tolerated_count is not None else 0
            over = failures > limit_count
            if tolerated_percentage is not None and inputs:
                over = over and failures * 100.0 / len(inputs) > tolerated_percentage
                if tolerated_count is None:
                    over = failures * 100.0 / len(inputs) > tolerated_percentage
            if failures and over:
                cause = "The specified tolerance threshold was exceeded"
                append_record(
                    rec,
                    (
                        GENERIC,
                        "MapRunFailed",
                        chain,
                        timeline.now,
                        {"error": EXCEED_TOLERATED_FAILURE_THRESHOLD, "cause": cause},
                        None,
                    ),
                )
                raise StatesError(EXCEED_TOLERATED_FAILURE_THRESHOLD, cause)
            append_record(rec, (GENERIC, "MapRunSucceeded", chain, timeline.now, None, None))
            if writer is not None:
                result = written
            else:
                result = executions.outputs
                for i, error in executions.errors.items():
                    result[i] = {"Error": error.error, "Cause": error.cause}
            extra = executions.extra + 2
        else:
            outcomes = run_inline(run, strand, self.processor, self.name, inputs, concurrency)
            failure = first_failure(outcomes)
            if failure is not None:
                assert failure.error is not None
                raise failure.error
            if len(outcomes) == 1 and outcomes[0].index == -1:  # the sequential path: all outputs in one
                result = outcomes[0].output
                extra = outcomes[0].bound
            else:
                result = [o.output for o in outcomes]
                extra = sum(o.bound + 1 for o in outcomes) + 2
        append_record(rec, (GENERIC, "MapStateSucceeded", chain, timeline.now, None, ("closing",)))
        if isinstance(io, df.JsonataIO):
            out, assigned = io.finish(raw, result, context, variables, run.jsonata_runtime)
        else:
            out, assigned = io.finish(raw, result, context, variables)
        return Attempt(out, assigned, extra)
