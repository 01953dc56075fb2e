"""The executor: ``run()`` executes a state machine in-process exactly as AWS Step Functions does.

Layout, bottom up (no module imports one above it): ``loop`` (the run loop, strands, run state), ``node`` (what
every compiled state shares), one module per state kind (``pass_state``, ``choice``, ``wait``, ``terminal``,
``retry`` + ``task``, ``children`` + ``parallel``, ``map_inline`` + ``map``), ``plan`` (definition -> plan) and
``run`` (``run()``, plan caching); ``mocks`` holds the hooks ``sfnkit.testing`` uses (``run(mocks=)``, observers).
"""

from sfnkit.engine.plan import Plan, compile_plan
from sfnkit.engine.run import run

__all__ = ["Plan", "compile_plan", "run"]
