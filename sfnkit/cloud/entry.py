"""The Lambda entry point of a deployed ``@lambda_fn``: calls the function as a local ``run()`` calls it.

Lambda's Python runtime calls ``handler(event, context)``; a ``@lambda_fn`` may take only ``event``. Each deployed
package holds a two-line module ``sfnkit_handler.py`` (written by ``sfnkit.cloud.packaging``) that binds
``handler`` with :func:`entry_point`; this module reaches Lambda in the shared sfnkit runtime layer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from sfnkit.dsl import takes_context

__all__ = ["entry_point"]


def entry_point(module: str, attribute: str) -> Callable[[Any, Any], Any]:
    """The ``handler(event, context)`` Lambda calls for the ``@lambda_fn`` *attribute* of *module*."""
    step = getattr(importlib.import_module(module), attribute)
    fn: Callable[..., Any] = getattr(step, "fn", step)  # the plain function under the LambdaStep
    if takes_context(fn):
        return fn

    def handler(event: Any, context: Any) -> Any:
        return fn(event)

    return handler
