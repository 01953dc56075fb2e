"""Find what a command line names: a state machine (``flow.py:machine``, ``pkg.mod:machine``, ``flow.asl.json``) and
the Lambda handlers and service stand-ins a module offers for a local run.

The loaders import the user's code, so they live here rather than in the pure core; ``sfnkit.cli`` calls them.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pathlib
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

from sfnkit.errors import TargetError
from sfnkit.machine import StateMachine

__all__ = ["Bindings", "load_bindings", "load_machine", "load_module", "load_object", "split_target"]

_ASL_SUFFIXES = (".json",)  # covers .asl.json


def split_target(target: str) -> tuple[str, str | None]:
    """Split ``TARGET`` into the module or file and the object's name (``None`` when not given).

    >>> split_target("flows/orders.py:orders"), split_target("orders.asl.json")
    (('flows/orders.py', 'orders'), ('orders.asl.json', None))
    """
    where, colon, name = target.rpartition(":")
    # "C:\\flow.json" or a name-less target: the colon is not ours
    if not colon or not name or os.sep in name or "/" in name or not where:
        return target, None
    return where, name


def load_machine(target: str) -> StateMachine:
    """The state machine *target* names: ``path/to/module.py:object``, ``package.module:object`` or an ASL file.

    The object may be a ``StateMachine``, a flow step (built as a machine named after the object) or an ASL
    definition dict. Without ``:object`` a module must hold exactly one ``StateMachine``.

    Raises:
        TargetError: the file, module or object does not exist or is not a state machine.
        ValidationError: an ASL file breaks rules AWS enforces.
    """
    where, name = split_target(target)
    if name is None and where.endswith(_ASL_SUFFIXES):
        return _asl_file(where)
    if name is None:
        return _only_machine(load_module(where), where)
    return _as_machine(load_object(target), name, target)


def load_object(target: str) -> Any:
    """The object ``module.py:object`` or ``package.module:object`` names (``object`` may be dotted: ``a.b``).

    Raises:
        TargetError: *target* has no ``:object``, or the module or the object does not exist.
    """
    where, name = split_target(target)
    if name is None:
        raise TargetError(f"{target!r} names no object; write path/to/module.py:object or package.module:object")
    return _attribute(load_module(where), name, where)


def _asl_file(path: str) -> StateMachine:
    from sfnkit.asl.codec import from_asl

    if not os.path.isfile(path):
        raise TargetError(
            f"{path}: no such file; TARGET is an ASL .json file, module.py:object or package.module:object"
        )
    return from_asl(pathlib.Path(path))  # a str would be read as JSON text


def load_module(spec: str) -> ModuleType:
    """Import *spec*: a ``.py`` file (its folder goes on ``sys.path``, as ``python file.py`` does) or a dotted name
    (found from the current directory first, as ``python -m`` does).

    Raises:
        TargetError: the file or module does not exist, or importing it raised (the message names the line).
    """
    if spec.endswith(".py") or os.sep in spec or "/" in spec:
        return _module_from_file(spec)
    if not all(part.isidentifier() for part in spec.split(".")):
        raise TargetError(
            f"{spec!r} is neither a .py file nor a module name; write path/to/module.py:object, "
            "package.module:object or an ASL .json file"
        )
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(spec)
    except ModuleNotFoundError as error:
        if error.name is not None and spec.startswith(error.name):
            raise TargetError(
                f"no module named {error.name!r} (looked in the current directory and the installed packages); "
                "for a file, write path/to/module.py:object"
            ) from None
        raise _import_failed(spec, error) from None
    except Exception as error:  # the user's module raised while importing: say where
        raise _import_failed(spec, error) from None


def _module_from_file(spec: str) -> ModuleType:
    path = Path(spec).resolve()
    if not path.is_file():
        raise TargetError(f"{spec}: no such file")
    if path.suffix != ".py":
        raise TargetError(f"{spec}: a module file ends in .py")
    name = path.stem
    loaded = sys.modules.get(name)
    if loaded is not None:
        if getattr(loaded, "__file__", None) and Path(loaded.__file__ or "").resolve() == path:
            return loaded
        name = f"_sfnkit_target_{len(sys.modules)}_{name}"  # never replace a module already imported (json.py...)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # its sibling modules import as they would under `python file.py`
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise TargetError(f"{spec}: Python cannot load this file as a module")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # before running it: attrs, dataclasses and pickling look the module up
    try:
        module_spec.loader.exec_module(module)
    except Exception as error:  # the user's module raised while importing: say where
        del sys.modules[name]
        raise _import_failed(spec, error) from None
    return module


def _import_failed(spec: str, error: BaseException) -> TargetError:
    """The error of a module that raised on import, naming the innermost line of the user's code."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [frame for frame in frames if "importlib" not in frame.filename]
    where = f" ({own[-1].filename}, line {own[-1].lineno})" if own else ""
    return TargetError(f"importing {spec} failed: {type(error).__name__}: {error}{where}")


def _attribute(module: ModuleType, name: str, where: str) -> Any:
    value: Any = module
    for part in name.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            machines = _machines_in(module)
            hint = f"; its state machines: {', '.join(machines)}" if machines else ""
            raise TargetError(f"{where} has no {name!r}{hint}") from None
    return value


def _machines_in(module: ModuleType) -> list[str]:
    return [
        name for name, value in vars(module).items() if not name.startswith("_") and isinstance(value, StateMachine)
    ]


def _only_machine(module: ModuleType, where: str) -> StateMachine:
    machines = _machines_in(module)
    if len(machines) == 1:
        machine: StateMachine = getattr(module, machines[0])
        return machine
    if not machines:
        raise TargetError(f"{where} defines no StateMachine; name the object to use: {where}:object")
    raise TargetError(f"{where} defines {len(machines)} state machines ({', '.join(machines)}); pick one: {where}:NAME")


def _as_machine(value: Any, name: str, target: str) -> StateMachine:
    from sfnkit.dsl import Step

    if isinstance(value, StateMachine):
        return value
    if isinstance(value, Step):
        from sfnkit.build import workflow

        return workflow(name.rpartition(".")[2], value)
    if isinstance(value, Mapping):
        from sfnkit.asl.codec import from_asl

        return from_asl(value)
    raise TargetError(
        f"{target} is a {type(value).__name__}; TARGET must name a StateMachine, a flow step or an ASL definition dict"
    )


@attrs.frozen
class Bindings:
    """What a ``--lambdas`` module offers ``run()``: Lambda handlers by function name, and service stand-ins."""

    lambdas: Mapping[str, Callable[..., Any]] = attrs.field(factory=dict)
    services: Mapping[str, Callable[..., Any]] = attrs.field(factory=dict)


def load_bindings(spec: str) -> Bindings:
    """The handlers module *spec* (a ``.py`` file or a dotted name) offers for a local run.

    Every ``@lambda_fn`` function at its top level is bound under its Lambda function name; a mapping called
    ``LAMBDAS`` adds (or overrides) function name or ARN → callable, and a mapping called ``SERVICES`` binds Task
    resources (``arn:aws:states:::sns:publish``) to callables that receive the evaluated parameters.

    Raises:
        TargetError: the module cannot be imported, offers nothing, or ``LAMBDAS``/``SERVICES`` is malformed.
    """
    from sfnkit.dsl import LambdaStep

    module = load_module(spec)
    lambdas: dict[str, Callable[..., Any]] = {
        value.function_name: value
        for name, value in vars(module).items()
        if not name.startswith("_") and isinstance(value, LambdaStep)
    }
    lambdas.update(_mapping(module, "LAMBDAS", spec))
    services = _mapping(module, "SERVICES", spec)
    if not lambdas and not services:
        raise TargetError(
            f"{spec} offers no handlers: decorate functions with @lambda_fn, or define LAMBDAS = {{name: callable}} "
            "or SERVICES = {resource: callable}"
        )
    return Bindings(lambdas=lambdas, services=services)


def _mapping(module: ModuleType, name: str, spec: str) -> dict[str, Callable[..., Any]]:
    value = getattr(module, name, None)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TargetError(f"{spec}: {name} is a {type(value).__name__}; make it a dict of name -> callable")
    bad = [key for key, item in value.items() if not isinstance(key, str) or not callable(item)]
    if bad:
        raise TargetError(
            f"{spec}: {name}[{bad[0]!r}] is not a callable under a string key; {name} maps names to callables"
        )
    return dict(value)
