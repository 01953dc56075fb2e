"""workflow(): naming, wiring, the Lambda ASL shape, query languages, reuse, and size (no recursion per step)."""

from __future__ import annotations

import sys

import pytest

from sfnkit import (
    DefinitionError,
    catch,
    choice,
    ctx,
    data,
    fail,
    goto,
    jsonata,
    lambda_fn,
    map_,
    parallel,
    pass_,
    result,
    sns_publish,
    succeed,
    task,
    var,
    wait,
    when,
    workflow,
)
from sfnkit.machine import StateMachine

TOPIC = "arn:aws:sns:us-east-1:123456789012:t"
RESOURCE = "arn:aws:states:::sns:publish"


@lambda_fn
def validate_dragon(event):
    return event


@lambda_fn
def add_dragon(event):
    return event


def states(machine: StateMachine) -> dict:
    """The ASL States of *machine*."""
    return machine.to_asl()["States"]


def nexts(machine: StateMachine) -> dict:
    """State name -> its Next/Default/End, for wiring assertions."""
    out = {}
    for name, state in states(machine).items():
        out[name] = state.get("Next", state.get("Default", "End" if state.get("End") else None))
    return out


# --- naming -------------------------------------------------------------------------------------------------


def test_names_come_from_functions_and_name():
    """State names are the CamelCase function name or name=."""
    assert list(states(workflow("W", validate_dragon >> pass_(name="Tidy")))) == ["ValidateDragon", "Tidy"]


def test_reused_lambda_is_numbered_in_reading_order():
    """One @lambda_fn in three places: ValidateDragon, ValidateDragon_2, ValidateDragon_3."""
    machine = workflow("W", validate_dragon >> add_dragon >> validate_dragon >> validate_dragon)
    assert list(states(machine)) == ["ValidateDragon", "AddDragon", "ValidateDragon_2", "ValidateDragon_3"]


def test_reused_lambda_with_other_options_is_numbered():
    """The same function with other options is still the same function: numbered, not an error."""
    machine = workflow("W", validate_dragon >> validate_dragon.with_options(result_selector={"x.$": "$.x"}))
    assert list(states(machine)) == ["ValidateDragon", "ValidateDragon_2"]


def test_default_names_are_numbered():
    """Steps without a name are named after their kind and numbered."""
    machine = workflow("W", pass_() >> wait(seconds=1) >> pass_(result=1) >> wait(seconds=2) >> succeed())
    assert list(states(machine)) == ["Pass", "Wait", "Pass_2", "Wait_2", "Succeed"]


def test_numbering_skips_names_taken_explicitly():
    """A numbered name never takes a name the user gave another step."""
    machine = workflow("W", pass_() >> pass_(name="Pass_2", result=1) >> pass_())
    assert list(states(machine)) == ["Pass", "Pass_2", "Pass_3"]


def test_two_different_steps_with_one_name():
    """Two different steps named alike: the error names both."""
    with pytest.raises(DefinitionError, match=r"both named 'Notify': Task step 'Notify' \(.*'a'\}\) and .*'b'"):
        workflow("W", sns_publish(TOPIC, "a", name="Notify") >> sns_publish(TOPIC, "b", name="Notify"))


def test_two_functions_with_one_name():
    """Two different functions with the same name: the error names both functions."""

    @lambda_fn(name="ValidateDragon")
    def other(event):
        return event

    with pytest.raises(DefinitionError, match=r"@lambda_fn test_build\.validate_dragon and @lambda_fn test_build\."):
        workflow("W", validate_dragon >> other)


def test_same_named_step_twice_is_numbered():
    """The same named step value used twice is numbered."""
    notify = sns_publish(TOPIC, "a", name="Notify")
    assert list(states(workflow("W", notify >> notify))) == ["Notify", "Notify_2"]


def test_names_unique_across_branches():
    """Names are unique in the whole machine, Parallel branches and Map processors included."""
    machine = workflow("W", validate_dragon >> parallel(validate_dragon, validate_dragon) >> map_(validate_dragon))
    asl = machine.to_asl()["States"]
    assert (
        [b["StartAt"] for b in asl["Parallel"]["Branches"]],
        asl["Map"]["ItemProcessor"]["StartAt"],
    ) == (["ValidateDragon_2", "ValidateDragon_3"], "ValidateDragon_4")


def test_lambdas_map_function_names_to_functions():
    """machine.lambdas binds each Lambda function name to its @lambda_fn, once however often it is used."""
    machine = workflow("W", validate_dragon >> add_dragon >> validate_dragon)
    assert dict(machine.lambdas) == {"ValidateDragon": validate_dragon, "AddDragon": add_dragon}


def test_one_lambda_name_for_two_functions():
    """Two Python functions cannot share one Lambda function name."""

    @lambda_fn(name="Other", function_name="ValidateDragon")
    def other(event):
        return event

    with pytest.raises(DefinitionError, match="used by two different Python functions"):
        workflow("W", validate_dragon >> other)


def test_workflow_name_checked():
    """The machine name follows AWS's rules."""
    with pytest.raises(DefinitionError, match="1-80 letters, digits, - and _"):
        workflow("my flow", pass_())


# --- wiring -------------------------------------------------------------------------------------------------


def test_branch_runs_on_after_the_choice():
    """A branch that runs off its end continues after the choice; otherwise= too."""
    machine = workflow(
        "W",
        choice(when(data.a == 1, then=pass_(name="One")), otherwise=pass_(name="Other")) >> pass_(name="After"),
    )
    assert nexts(machine) == {"Choice": "Other", "One": "After", "Other": "After", "After": "End"}


def test_choice_without_otherwise_falls_through():
    """Without otherwise=, an input that matches nothing goes on after the choice."""
    machine = workflow("W", choice(when(data.a == 1, then=pass_(name="One"))) >> pass_(name="After"))
    assert states(machine)["Choice"]["Default"] == "After"


def test_last_choice_without_otherwise_has_no_default():
    """A final choice without otherwise= has no Default (ASL: States.NoChoiceMatched)."""
    machine = workflow("W", choice(when(data.a == 1, then=succeed())))
    assert "Default" not in states(machine)["Choice"]


def test_choice_rules_keep_order_and_targets():
    """Rules are written in order, each with its Next."""
    machine = workflow("W", choice(when(data.a == 1, then=pass_(name="A")), when(data.a == 2, then=pass_(name="B"))))
    assert states(machine)["Choice"]["Choices"] == [
        {"Variable": "$.a", "NumericEquals": 1, "Next": "A"},
        {"Variable": "$.a", "NumericEquals": 2, "Next": "B"},
    ]


def test_when_assign_and_output():
    """when(assign=, output=) are the rule's own Assign/Output (JSONata)."""
    machine = workflow(
        "W", choice(when(data.a == 1, then=succeed(), assign={"hit": True}, output={"x": 1})), query_language="JSONata"
    )
    assert states(machine)["Choice"]["Choices"][0] == {
        "Condition": "{% $states.input.a = 1 %}",
        "Assign": {"hit": True},
        "Output": {"x": 1},
        "Next": "Succeed",
    }


def test_catch_handler_runs_on_after_the_step():
    """A catch handler that runs off its end continues after the failed step, like an except block."""
    flow = task(RESOURCE, name="Risky").catch("States.ALL", then=pass_(name="Recover")) >> pass_(name="After")
    assert nexts(workflow("W", flow)) == {"Risky": "After", "Recover": "After", "After": "End"}


def test_catch_without_then_goes_on():
    """catch() without then= goes straight on after the step."""
    flow = task(RESOURCE, name="Risky").catch("States.ALL", result_path="$.error") >> pass_(name="After")
    assert states(workflow("W", flow))["Risky"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "After"}
    ]


def test_catch_without_then_at_the_end():
    """A catch with nowhere to go is an error that says what to add."""
    with pytest.raises(DefinitionError, match="give then=succeed"):
        workflow("W", task(RESOURCE).catch("States.ALL"))


def test_catch_as_option():
    """catch= on a helper works like .catch()."""
    flow = sns_publish(TOPIC, "m", catch=catch("States.ALL", then=fail(error="E")))
    assert states(workflow("W", flow))["SnsPublish"]["Catch"] == [{"ErrorEquals": ["States.ALL"], "Next": "Fail"}]


def test_goto_loops_back():
    """goto(step) wires Next to that state: a loop."""
    done = data.done == True  # noqa: E712 - builds a Choice rule
    flow = validate_dragon >> choice(when(done, then=succeed()), otherwise=wait(seconds=1) >> goto(validate_dragon))
    assert nexts(workflow("W", flow))["Wait"] == "ValidateDragon"


def test_goto_unknown_state():
    """A goto to no state of the block is an error listing the states there."""
    with pytest.raises(DefinitionError, match=r"there is no state 'Nowhere' in this States block \(it has Pass\)"):
        workflow("W", pass_() >> goto("Nowhere"))


def test_goto_out_of_a_branch():
    """A goto cannot leave a Parallel branch."""
    with pytest.raises(DefinitionError, match="cannot leave a Parallel branch"):
        workflow("W", pass_(name="Top") >> parallel(pass_() >> goto("Top")))


def test_nothing_after_goto():
    """Steps after a goto can never run."""
    with pytest.raises(DefinitionError, match="a goto must end its sequence"):
        workflow("W", pass_(name="A") >> goto("A") >> pass_())


def test_nothing_after_succeed():
    """Steps after succeed() or fail() can never run."""
    with pytest.raises(DefinitionError, match="which ends the workflow"):
        workflow("W", succeed() >> pass_())


def test_terminal_states_have_no_next():
    """Succeed and Fail have neither Next nor End."""
    assert states(workflow("W", pass_() >> fail(error="E"))) == {
        "Pass": {"Type": "Pass", "Next": "Fail"},
        "Fail": {"Type": "Fail", "Error": "E"},
    }


def test_parallel_branches_are_machines():
    """Each branch is its own block, ending with End."""
    branches = states(workflow("W", parallel(pass_(name="A") >> pass_(name="B"), pass_(name="C"))))["Parallel"][
        "Branches"
    ]
    assert branches == [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}},
        {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}},
    ]


def test_map_options():
    """map_ writes its options and the processor."""
    machine = workflow("W", map_(pass_(), items=data.xs, item_selector={"v": ctx.Map.Item.Value}, max_concurrency=2))
    assert states(machine)["Map"] == {
        "Type": "Map",
        "ItemsPath": "$.xs",
        "ItemSelector": {"v.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "Pass", "States": {"Pass": {"Type": "Pass", "End": True}}},
        "MaxConcurrency": 2,
        "End": True,
    }


def test_distributed_map():
    """Distributed options write ProcessorConfig inside ItemProcessor."""
    machine = workflow(
        "W", map_(pass_(), mode="DISTRIBUTED", execution_type="EXPRESS", label="Run", tolerated_failure_count=2)
    )
    asl = states(machine)["Map"]
    assert (asl["ItemProcessor"]["ProcessorConfig"], asl["Label"], asl["ToleratedFailureCount"]) == (
        {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        "Run",
        2,
    )


# --- the Lambda shape ---------------------------------------------------------------------------------------


def test_lambda_jsonpath_shape():
    """lambda:invoke with the whole input as Payload, and OutputPath on the Payload."""
    assert states(workflow("W", validate_dragon))["ValidateDragon"] == {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "ValidateDragon", "Payload.$": "$"},
        "OutputPath": "$.Payload",
        "End": True,
    }


def test_lambda_output_path_goes_under_payload():
    """output_path='$.x' selects x of the return value: $.Payload.x."""
    state = states(workflow("W", validate_dragon.with_options(output_path="$.x")))["ValidateDragon"]
    assert state["OutputPath"] == "$.Payload.x"


def test_lambda_parameters_are_the_payload():
    """parameters= is the event the function receives: the Payload template."""
    state = states(workflow("W", validate_dragon.with_options(parameters={"name": data.dragon.name})))["ValidateDragon"]
    assert state["Parameters"] == {"FunctionName": "ValidateDragon", "Payload": {"name.$": "$.dragon.name"}}


def test_lambda_parameters_path():
    """parameters=data.dragon sends that part of the input."""
    state = states(workflow("W", validate_dragon.with_options(parameters=data.dragon)))["ValidateDragon"]
    assert state["Parameters"] == {"FunctionName": "ValidateDragon", "Payload.$": "$.dragon"}


def test_lambda_result_selector_sees_the_return_value():
    """$ in result_selector means the return value: re-rooted on $.Payload (intrinsics too); no OutputPath."""
    step = validate_dragon.with_options(
        result_selector={"n.$": "$.name", "all.$": "$", "f.$": "States.Format('{} $', $.a)", "c.$": "$$.Execution.Id"}
    )
    state = states(workflow("W", step))["ValidateDragon"]
    assert (state["ResultSelector"], "OutputPath" in state) == (
        {
            "n.$": "$.Payload.name",
            "all.$": "$.Payload",
            "f.$": "States.Format('{} $', $.Payload.a)",
            "c.$": "$$.Execution.Id",
        },
        False,
    )


def test_lambda_assign_sees_the_return_value():
    """$ in assign (JSONPath) is the return value too; variables stay."""
    step = validate_dragon.with_options(assign={"n": result.name, "v": var.other})
    assert states(workflow("W", step))["ValidateDragon"]["Assign"] == {"n.$": "$.Payload.name", "v.$": "$other"}


def test_lambda_result_path_null():
    """result_path=None discards the result: no OutputPath needed."""
    state = states(workflow("W", validate_dragon.with_options(result_path=None)))["ValidateDragon"]
    assert (state["ResultPath"], "OutputPath" in state) == (None, False)


def test_lambda_result_path_adds_an_unwrapping_pass():
    """result_path='$.v' keeps the return value (not the invoke wrapper) at $.v via a Pass."""
    machine = workflow("W", validate_dragon.with_options(result_path="$.v", output_path="$.v") >> pass_(name="Next"))
    assert states(machine) == {
        "ValidateDragon": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "ValidateDragon", "Payload.$": "$"},
            "ResultPath": "$.v",
            "Next": "ValidateDragon.Payload",
        },
        "ValidateDragon.Payload": {
            "Type": "Pass",
            "InputPath": "$.v.Payload",
            "ResultPath": "$.v",
            "OutputPath": "$.v",
            "Next": "Next",
        },
        "Next": {"Type": "Pass", "End": True},
    }


def test_lambda_jsonata_shape():
    """JSONata: Arguments with the input as Payload, Output the Payload."""
    assert states(workflow("W", validate_dragon, query_language="JSONata"))["ValidateDragon"] == {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "ValidateDragon", "Payload": "{% $states.input %}"},
        "Output": "{% $states.result.Payload %}",
        "End": True,
    }


def test_lambda_jsonata_output_and_assign_see_the_return_value():
    """$states.result in output/assign is re-rooted on the Payload."""
    step = validate_dragon.with_options(
        output=jsonata("$merge([$states.input, $states.result])"), assign={"n": result.name}, arguments=data.dragon
    )
    state = states(workflow("W", step, query_language="JSONata"))["ValidateDragon"]
    assert (state["Output"], state["Assign"], state["Arguments"]) == (
        "{% $merge([$states.input, $states.result.Payload]) %}",
        {"n": "{% $states.result.Payload.name %}"},
        {"FunctionName": "ValidateDragon", "Payload": "{% $states.input.dragon %}"},
    )


def test_lambda_retry_timeout_heartbeat():
    """timeout=/heartbeat= are TimeoutSeconds/HeartbeatSeconds; retry= is Retry."""

    @lambda_fn(timeout=30, heartbeat=10)
    def slow(event):
        return event

    state = states(workflow("W", slow.retry("States.Timeout", max_attempts=1)))["Slow"]
    assert (state["TimeoutSeconds"], state["HeartbeatSeconds"], state["Retry"]) == (
        30,
        10,
        [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}],
    )


# --- query languages and values -----------------------------------------------------------------------------


def test_jsonata_machine():
    """query_language='JSONata' writes QueryLanguage and spells conditions as Condition."""
    machine = workflow("W", choice(when(var.total > 100, then=succeed())), query_language="JSONata")
    asl = machine.to_asl()
    assert (asl["QueryLanguage"], asl["States"]["Choice"]["Choices"][0]["Condition"]) == (
        "JSONata",
        "{% $total > 100 %}",
    )


def test_explicit_jsonpath_is_written():
    """query_language='JSONPath' is written out; the default is not."""
    assert (
        workflow("W", pass_(), query_language="JSONPath").to_asl()["QueryLanguage"],
        "QueryLanguage" in workflow("W", pass_()).to_asl(),
    ) == ("JSONPath", False)


def test_unknown_query_language():
    """Only JSONPath and JSONata exist."""
    with pytest.raises(DefinitionError, match="use 'JSONPath' or 'JSONata'"):
        workflow("W", pass_(), query_language="jq")


def test_jsonpath_field_in_jsonata_machine():
    """A JSONPath-only field in a JSONata state says which fields to use."""
    with pytest.raises(
        DefinitionError, match="parameters= is a JSONPath field, and this state is JSONata; use arguments="
    ):
        workflow("W", pass_(parameters={"a": 1}), query_language="JSONata")


def test_jsonata_field_in_jsonpath_machine():
    """output= in a JSONPath state is refused."""
    with pytest.raises(DefinitionError, match="output= is a JSONata field, and this state is JSONPath"):
        workflow("W", pass_(output={"a": 1}))


def test_jsonata_condition_in_jsonpath_machine():
    """jsonata() conditions need a JSONata state."""
    with pytest.raises(DefinitionError, match=r"Choices\[0\]: a JSONata condition .* needs a JSONata state"):
        workflow("W", choice(when(jsonata("true"), then=succeed())))


def test_state_language_override():
    """query_language= on a step makes a JSONata state in a JSONPath machine."""
    machine = workflow("W", pass_(output={"a": 1}, query_language="JSONata"))
    assert states(machine)["Pass"] == {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"a": 1}, "End": True}


def test_paths_in_templates():
    """Paths in a JSONPath template become key.$ entries, at any depth."""
    flow = pass_(parameters={"a": data.x, "b": {"c": ctx.Execution.Id, "d": var.n}, "e": [1]})
    assert states(workflow("W", flow))["Pass"]["Parameters"] == {
        "a.$": "$.x",
        "b": {"c.$": "$$.Execution.Id", "d.$": "$n"},
        "e": [1],
    }


def test_paths_in_jsonata_values():
    """Paths and conditions in JSONata values become {% %} expressions."""
    flow = pass_(output={"a": data.x, "b": [var.n], "ok": data.x > 1})
    assert states(workflow("W", flow, query_language="JSONata"))["Pass"]["Output"] == {
        "a": "{% $states.input.x %}",
        "b": ["{% $n %}"],
        "ok": "{% $states.input.x > 1 %}",
    }


def test_path_in_a_list_in_jsonpath():
    """A JSONPath template cannot hold a path in a list: the error says where paths go."""
    with pytest.raises(DefinitionError, match="as object values"):
        workflow("W", pass_(parameters={"a": [data.x]}))


@pytest.mark.parametrize(
    ("step", "jsonpath", "jsonata_field"),
    [
        (wait(seconds=data.delay), {"SecondsPath": "$.delay"}, {"Seconds": "{% $states.input.delay %}"}),
        (wait(timestamp=data.at), {"TimestampPath": "$.at"}, {"Timestamp": "{% $states.input.at %}"}),
        (fail(error=data.e, cause=data.c), {"ErrorPath": "$.e", "CausePath": "$.c"},
         {"Error": "{% $states.input.e %}", "Cause": "{% $states.input.c %}"}),
        (map_(pass_(), items=data.xs, max_concurrency=data.n), {"ItemsPath": "$.xs", "MaxConcurrencyPath": "$.n"},
         {"Items": "{% $states.input.xs %}", "MaxConcurrency": "{% $states.input.n %}"}),
    ],
    ids=["seconds", "timestamp", "fail", "map"],
)  # fmt: skip
def test_path_valued_fields_pick_the_twin(step, jsonpath, jsonata_field):
    """A path given to a field with a ...Path twin is the twin in JSONPath and an expression in JSONata."""
    for language, expected in (("JSONPath", jsonpath), ("JSONata", jsonata_field)):
        state = next(iter(states(workflow("W", step, query_language=language)).values()))
        assert {k: state[k] for k in expected} == expected


def test_assign_in_jsonpath():
    """assign= in JSONPath is a template of variables."""
    machine = workflow("W", pass_(assign={"total": data.order.total, "fixed": 1}))
    assert states(machine)["Pass"]["Assign"] == {"total.$": "$.order.total", "fixed": 1}


def test_request_spelling_by_language():
    """A helper's request is Parameters in JSONPath and Arguments in JSONata."""
    step = sns_publish(TOPIC, data.text)
    assert (
        states(workflow("W", step))["SnsPublish"]["Parameters"],
        states(workflow("W", step, query_language="JSONata"))["SnsPublish"]["Arguments"],
    ) == ({"TopicArn": TOPIC, "Message.$": "$.text"}, {"TopicArn": TOPIC, "Message": "{% $states.input.text %}"})


def test_catch_fields_by_language():
    """catch(result_path=) is JSONPath; catch(output=) JSONata."""
    with pytest.raises(DefinitionError, match=r"catch\(result_path=\) is JSONPath"):
        workflow("W", task(RESOURCE).catch("States.ALL", result_path="$.e", then=succeed()), query_language="JSONata")


# --- values, reuse and size ---------------------------------------------------------------------------------


def test_fragment_reuse_in_two_workflows():
    """One fragment in two workflows of both languages: each is built on its own, the fragment unchanged."""
    fragment = validate_dragon >> choice(when(data.ok == True, then=add_dragon), otherwise=fail(error="Bad"))  # noqa: E712
    before = repr(fragment)
    one = workflow("One", pass_() >> fragment)
    two = workflow("Two", fragment, query_language="JSONata")
    assert (list(states(one)), list(states(two)), repr(fragment)) == (
        ["Pass", "ValidateDragon", "Choice", "AddDragon", "Fail"],
        ["ValidateDragon", "Choice", "AddDragon", "Fail"],
        before,
    )


def test_fragment_used_twice_in_one_workflow():
    """The same fragment twice gets numbered names for its second copy."""
    fragment = validate_dragon >> add_dragon
    assert list(states(workflow("W", fragment >> fragment))) == [
        "ValidateDragon",
        "AddDragon",
        "ValidateDragon_2",
        "AddDragon_2",
    ]


def test_building_twice_gives_equal_asl():
    """Building is deterministic."""
    flow = validate_dragon >> parallel(add_dragon, pass_()) >> succeed()
    assert workflow("W", flow).to_asl() == workflow("W", flow).to_asl()


def test_machine_fields():
    """workflow() options land on the machine."""
    machine = workflow("W", pass_(), comment="c", timeout_seconds=60, version="1.0")
    assert (machine.name, machine.comment, machine.timeout_seconds, machine.version) == ("W", "c", 60, "1.0")


def test_list_flow():
    """A list of steps is a chain."""
    assert list(states(workflow("W", [pass_(name="A"), pass_(name="B")]))) == ["A", "B"]


@pytest.fixture
def low_recursion_limit():
    """Python's default recursion limit, whatever an import raised it to (jsonata-python sets 10,000)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(old)


def test_ten_thousand_state_chain(low_recursion_limit):
    """A 10,000-state >> chain builds and exports at the default recursion limit."""
    flow = pass_(name="P0")
    for i in range(1, 10_000):
        flow = flow >> pass_(name=f"P{i}")
    asl = workflow("Long", flow).to_asl(validate=False)
    assert (len(asl["States"]), asl["States"]["P9998"]["Next"], asl["States"]["P9999"]) == (
        10_000,
        "P9999",
        {"Type": "Pass", "End": True},
    )


def test_deeply_nested_choices(low_recursion_limit):
    """2,000 choices nested through otherwise= build at the default recursion limit."""
    step = fail(name="Miss", error="NoMatch")
    for i in range(1999, -1, -1):
        step = choice(
            when(data.x == i, then=succeed(name="Hit") if i == 0 else goto("Hit")), otherwise=step, name=f"C{i}"
        )
    asl = workflow("Deep", step).to_asl(validate=False)
    assert (len(asl["States"]), asl["States"]["C1999"]["Default"], asl["States"]["C5"]["Choices"][0]["Next"]) == (
        2002,
        "Miss",
        "Hit",
    )


# --- the Lambda shape, run locally --------------------------------------------------------------------------


@lambda_fn
def shout(event):
    return {"word": event["word"].upper(), "n": 7}


def run_output(flow, value, **options):
    """The output of running *flow* locally on *value* (the machine's lambdas are bound)."""
    from sfnkit import run

    execution = run(workflow("Run", flow, **options), value)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    return execution.output


def test_local_next_state_gets_the_return_value():
    """The state after a @lambda_fn receives exactly what it returned."""
    assert run_output(shout >> pass_(), {"word": "hi"}) == {"word": "HI", "n": 7}


def test_local_result_path_holds_the_return_value():
    """With result_path, the return value (not the invoke wrapper) sits at the path."""
    assert run_output(shout.with_options(result_path="$.loud"), {"word": "hi"}) == {
        "word": "hi",
        "loud": {"word": "HI", "n": 7},
    }


def test_local_output_path_selects_in_the_return_value():
    """output_path selects inside the return value."""
    assert run_output(shout.with_options(output_path="$.word"), {"word": "hi"}) == "HI"


def test_local_result_selector_sees_the_return_value():
    """result_selector's $ is the return value."""
    step = shout.with_options(result_selector={"w.$": "$.word"}, result_path="$.r")
    assert run_output(step, {"word": "hi"}) == {"word": "hi", "r": {"w": "HI"}}


def test_local_parameters_are_the_event():
    """parameters= is the event the function receives."""
    assert run_output(shout.with_options(parameters={"word": data.text}), {"text": "yo"}) == {"word": "YO", "n": 7}


def test_local_assign_reads_the_return_value():
    """assign= sees the return value; a later state reads the variable."""
    flow = shout.with_options(assign={"count": result.n}) >> pass_(parameters={"count": var.count})
    assert run_output(flow, {"word": "hi"}) == {"count": 7}


def test_local_jsonata_lambda():
    """JSONata: the next state receives the return value; output/assign see it as $states.result."""
    flow = shout.with_options(assign={"count": result.n}) >> pass_(output={"count": var.count})
    assert (
        run_output(shout, {"word": "hi"}, query_language="JSONata"),
        run_output(flow, {"word": "hi"}, query_language="JSONata"),
        run_output(shout.with_options(output=result.word), {"word": "hi"}, query_language="JSONata"),
    ) == ({"word": "HI", "n": 7}, {"count": 7}, "HI")


def test_graph_of_a_built_machine():
    """The built machine is a networkx graph: a goto loop is a cycle, edges carry their ASL keys."""
    import networkx as nx

    flow = validate_dragon >> choice(
        when(data.n > 3, then=succeed()), otherwise=wait(seconds=1) >> goto(validate_dragon)
    )
    graph = workflow("W", flow).graph
    assert (sorted(map(sorted, nx.simple_cycles(graph))), sorted(graph.out_edges("Choice", keys=True))) == (
        [["Choice", "ValidateDragon", "Wait"]],
        [("Choice", "Succeed", "Choices[0]"), ("Choice", "Wait", "Default")],
    )
