"""Data flows one way: no sfnkit module imports, at module level, one from a layer above it, and there is no cycle.

Imports inside functions (the lazy delegates such as ``StateMachine.to_asl`` or ``Step._repr_mimebundle_``) and
under ``if TYPE_CHECKING:`` are not module-level imports: they run only when called, once everything is loaded.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "sfnkit"

# Bottom to top. A module belongs to the first entry its name equals or starts with (``name.``); a module may
# import from its own layer or any layer below. Modules not listed belong to the top layer (applications).
LAYERS: tuple[tuple[str, ...], ...] = (
    # foundations: errors, immutable values, time, the runtime values every evaluator shares
    (
        "sfnkit.errors",
        "sfnkit.frozen",
        "sfnkit.clock",
        "sfnkit.asl.scope",
        "sfnkit.asl.failures",
        "sfnkit.asl.jsonata_python",
        "sfnkit.asl.quotas",
    ),
    # ASL's own languages: fields, paths (bottom up inside the package), intrinsics, templates, rules, JSONata...
    ("sfnkit.asl.paths.tokens",),
    ("sfnkit.asl.paths.evaluate",),
    ("sfnkit.asl.paths.filters",),
    ("sfnkit.asl.paths.parser",),
    ("sfnkit.asl.paths.compiled",),
    ("sfnkit.asl.paths.reference",),
    ("sfnkit.asl.intrinsics.values",),
    ("sfnkit.asl.intrinsics.text", "sfnkit.asl.intrinsics.arrays", "sfnkit.asl.intrinsics.numbers"),
    ("sfnkit.asl.intrinsics.functions",),
    ("sfnkit.asl.schema", "sfnkit.asl.context", "sfnkit.asl.paths", "sfnkit.asl.intrinsics", "sfnkit.asl.templates"),
    ("sfnkit.asl.jsonata_values", "sfnkit.asl.jsonata_messages", "sfnkit.asl.jsonata_regex"),
    ("sfnkit.asl.jsonata_closures", "sfnkit.asl.jsonata_functions"),
    ("sfnkit.asl.jsonata_fast", "sfnkit.asl.jsonata_parser", "sfnkit.asl.jsonata_engine"),
    ("sfnkit.asl.jsonata_syntax",),
    ("sfnkit.asl.compare",),
    ("sfnkit.asl.rules", "sfnkit.asl.jsonata", "sfnkit.asl.variables", "sfnkit.asl.dataflow", "sfnkit.asl.itemreader"),
    # the model: conditions, states, the StateMachine
    ("sfnkit.conditions.ir",),
    ("sfnkit.conditions.spelling",),
    ("sfnkit.conditions.operators",),
    ("sfnkit.conditions", "sfnkit.states", "sfnkit.deploy_options"),
    ("sfnkit.machine",),
    # the DSL (bottom up inside the package) and its builder (building reads the DSL and makes a StateMachine);
    # validation (over ASL dicts)
    ("sfnkit.triggers",),
    ("sfnkit.dsl.values",),
    ("sfnkit.dsl.flow",),
    ("sfnkit.dsl.handling",),
    ("sfnkit.dsl.steps",),
    ("sfnkit.dsl.functions", "sfnkit.dsl.control"),
    ("sfnkit.dsl", "sfnkit.integrations", "sfnkit.validate"),
    ("sfnkit.builder.fields",),
    ("sfnkit.builder.lambda_tasks",),
    ("sfnkit.builder.passes",),
    ("sfnkit.build",),
    # back ends: free functions over the model
    ("sfnkit.asl.codec", "sfnkit.labels", "sfnkit.overlay", "sfnkit.dot"),
    ("sfnkit.diagram",),
    ("sfnkit.render", "sfnkit.mermaid"),
    # execution: Lambda invocation, the result, the engine (bottom up inside the package)
    ("sfnkit.lambdas", "sfnkit.execution", "sfnkit.engine.mocks", "sfnkit.taskcall"),
    ("sfnkit.engine.loop",),
    ("sfnkit.engine.node",),
    ("sfnkit.engine.pass_state", "sfnkit.engine.choice", "sfnkit.engine.wait", "sfnkit.engine.terminal"),
    ("sfnkit.engine.retry", "sfnkit.engine.children"),
    (
        "sfnkit.engine.task",
        "sfnkit.engine.parallel",
        "sfnkit.engine.result_writer",
        "sfnkit.engine.fused",
    ),
    ("sfnkit.engine.fused_map",),
    ("sfnkit.engine.map_inline", "sfnkit.engine.map_distributed"),
    ("sfnkit.engine.map",),
    ("sfnkit.engine.plan",),
    ("sfnkit.engine.run",),
    ("sfnkit.engine",),
    # the AWS edge's leaves: moto corrected to AWS's answers, API Gateway's mapping templates
    ("sfnkit.cloud.services.corrections", "sfnkit.cloud.services.vtl_parse"),
    ("sfnkit.cloud.services.vtl",),
    # the services world sfnkit.aws() runs executions in, and an execution running in it (sfnkit.start)
    ("sfnkit.cloud.services",),
    ("sfnkit.cloud.running",),
)
TOP = len(LAYERS)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(name: str) -> int:
    for index, entries in enumerate(LAYERS):
        if any(name == entry or name.startswith(f"{entry}.") for entry in entries):
            return index
    return TOP


def module_level_imports(name: str) -> set[str]:
    """The sfnkit modules *name* imports when it is loaded (not in functions, not under TYPE_CHECKING)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    pending = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                pending.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend(node.body + node.orelse + node.finalbody)
            pending.extend(statement for handler in node.handlers for statement in handler.body)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
    return {imported for imported in found if imported in MODULES and imported != name}


GRAPH = {name: module_level_imports(name) for name in MODULES}


def test_the_layers_name_real_modules() -> None:
    """Every layer entry is a module or package of sfnkit (a renamed module must be renamed here too)."""
    listed = [entry for entries in LAYERS for entry in entries]
    assert [entry for entry in listed if not any(m == entry or m.startswith(f"{entry}.") for m in MODULES)] == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_one_above_it(name: str) -> None:
    """A module imports only from its own layer or below (back ends import the model, never the reverse)."""
    upward = sorted(imported for imported in GRAPH[name] if layer(imported) > layer(name))
    assert upward == [], (
        f"{name} (layer {layer(name)}) imports {upward} at module level, from a layer above it: import inside "
        "the function that needs it, move the code, or place a new module in LAYERS in tests/test_layers.py"
    )


def test_there_is_no_import_cycle() -> None:
    """The module-level imports form no cycle (so every module can be imported first, on its own)."""
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append([*path[path.index(name) :], name])
            return
        if name in done:
            return
        for imported in sorted(GRAPH[name]):
            visit(imported, [*path, name])
        done.add(name)

    for name in sorted(GRAPH):
        visit(name, [])
    assert cycles == []


# The only imports that reach up a layer from inside a function: the model's convenience methods, thin delegates
# to the back ends (free functions over the model), and a DSL fragment's display, which builds it first.
DELEGATES: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("sfnkit.machine", "to_asl", "sfnkit.asl.codec"),
        ("sfnkit.machine", "to_json", "sfnkit.asl.codec"),
        ("sfnkit.machine", "to_mermaid", "sfnkit.mermaid"),
        ("sfnkit.machine", "to_digraph", "sfnkit.render"),
        ("sfnkit.machine", "_repr_mimebundle_", "sfnkit.render"),
        ("sfnkit.dsl.flow", "_repr_mimebundle_", "sfnkit.build"),
        ("sfnkit.dsl.flow", "_repr_mimebundle_", "sfnkit.render"),
        ("sfnkit.dsl.functions", "invoke", "sfnkit.lambdas"),  # LambdaStep.invoke: fn.invoke is lambdas.invoke_function
    }
)


def upward_lazy_imports(name: str) -> set[tuple[str, str, str]]:
    """(module, function, imported module) for each import inside a function of *name* that reaches up a layer."""
    found = set()
    for function in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sfnkit"):
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    imported = submodule if submodule in MODULES else node.module
                    if layer(imported) > layer(name):
                        found.add((name, function.name, imported))
    return found


def test_functions_reach_up_only_through_the_listed_delegates() -> None:
    """Inside functions too, a lower module imports a higher one only in the listed thin delegates."""
    found = set().union(*(upward_lazy_imports(name) for name in MODULES))
    assert sorted(found - DELEGATES) == []


def test_the_checker_sees_imports() -> None:
    """The analysis finds module-level imports and skips lazy and TYPE_CHECKING ones (the test can fail)."""
    assert "sfnkit.machine" in GRAPH["sfnkit.asl.codec"]
    assert "sfnkit.asl.codec" not in GRAPH["sfnkit.machine"]  # imported inside to_asl()
    assert "sfnkit.machine" not in GRAPH["sfnkit.states"]  # imported under TYPE_CHECKING
    assert "sfnkit.engine.loop" in GRAPH["sfnkit.engine.node"]
    assert layer("sfnkit.engine.map") > layer("sfnkit.engine.node") > layer("sfnkit.machine")
    assert ("sfnkit.machine", "to_asl", "sfnkit.asl.codec") in upward_lazy_imports("sfnkit.machine")
