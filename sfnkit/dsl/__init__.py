"""The flow DSL: the steps (``@lambda_fn``, ``task``, ``pass_``, ``wait``...) and the combinators that join them.

Steps: ``lambda_fn``, ``task``, ``pass_``, ``wait``, ``succeed``, ``fail``; combinators: ``>>``/``chain``,
``choice``/``when``, ``parallel``, ``map_``, ``goto``, ``end``; error handling: ``retry``, ``catch``.

Every step is a frozen value. Nothing here knows where a step will sit or what it will be called: ``workflow()``
(in ``sfnkit.build``) places the steps, names them and wires the transitions, so one fragment can be reused in
several places and several workflows.

Values of JSON fields (``parameters=``, ``arguments=``, ``output=``, ``assign=``...) are copied when the step is
made, and may hold paths: ``parameters={"name": data.dragon.name}`` is exported as ``{"name.$": "$.dragon.name"}``
in a JSONPath workflow and as ``{"name": "{% $states.input.dragon.name %}"}`` in a JSONata one. Fields with a
``...Path`` twin take a path directly: ``wait(seconds=data.delay)`` is ``SecondsPath`` (JSONPath) or
``"Seconds": "{% $states.input.delay %}"`` (JSONata).

Layout, bottom up: ``values`` (JSON fields, state names), ``flow`` (``Step``, ``>>``, ``goto``, ``end``),
``handling`` (``retry``, ``catch``), ``steps`` (``task``, ``pass_``, ``wait``, ``succeed``, ``fail``),
``functions`` (``@lambda_fn``) and ``control`` (``choice``, ``parallel``, ``map_``).
"""

from sfnkit.asl.schema import MAX_NAME_LENGTH
from sfnkit.dsl.control import ChoiceStep, MapStep, ParallelStep, When, choice, map_, parallel, when
from sfnkit.dsl.flow import Chain, Goto, Step, as_step, chain, end, goto
from sfnkit.dsl.functions import LambdaStep, lambda_fn, state_name_of, takes_context
from sfnkit.dsl.handling import Catch, catch, retry
from sfnkit.dsl.steps import StateStep, fail, pass_, succeed, task, wait
from sfnkit.dsl.values import JSONATA_ONLY, JSONPATH_ONLY, PATH_TWIN, freeze

__all__ = [
    "JSONATA_ONLY",
    "JSONPATH_ONLY",
    "MAX_NAME_LENGTH",
    "PATH_TWIN",
    "Catch",
    "Chain",
    "ChoiceStep",
    "Goto",
    "LambdaStep",
    "MapStep",
    "ParallelStep",
    "StateStep",
    "Step",
    "When",
    "as_step",
    "catch",
    "chain",
    "choice",
    "end",
    "fail",
    "freeze",
    "goto",
    "lambda_fn",
    "map_",
    "parallel",
    "pass_",
    "retry",
    "state_name_of",
    "succeed",
    "takes_context",
    "task",
    "wait",
    "when",
]
