"""MkDocs hooks: pages generated from the code when the site is built, so they cannot fall behind it.

- ``API_MARKER`` (``docs/reference.md``) becomes the reference of every name in ``sfnkit.__all__``: a name added
  there appears without editing the page, grouped under the module that defines it.
- ``CLI_MARKER`` (``docs/howto/cli.md``) becomes the ``--help`` text of ``sfnkit`` and of each of its commands.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

API_MARKER = "<!-- api: sfnkit.__all__ -->"
CLI_MARKER = "<!-- cli: help -->"


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace the markers with the generated Markdown."""
    if API_MARKER in markdown:
        markdown = markdown.replace(API_MARKER, api_markdown())
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_markdown())
    return markdown


def cli_markdown() -> str:
    """``sfnkit --help`` and ``sfnkit COMMAND --help``, each in a code block."""
    import click

    from sfnkit.cli import cli

    sections = []
    with click.Context(cli, info_name="sfnkit", terminal_width=100) as context:
        sections.append(f"### sfnkit\n\n```text\n{cli.get_help(context)}\n```\n")
        for name in cli.list_commands(context):
            command = cli.get_command(context, name)
            assert command is not None
            with click.Context(command, parent=context, info_name=name, terminal_width=100) as sub:
                sections.append(f"### sfnkit {name}\n\n```text\n{command.get_help(sub)}\n```\n")
    return "\n".join(sections)


# Public modules whose own names (not re-exported at the top level) users import; included once they exist.
MODULES = ("sfnkit.testing", "sfnkit.events")


def api_markdown() -> str:
    """The reference's Markdown: a section per defining module, a mkdocstrings block per name; then the public
    modules of ``MODULES`` whole."""
    import importlib.util

    import sfnkit

    groups: dict[str, list[str]] = {}
    for name in sorted(sfnkit.__all__, key=str.lower):
        groups.setdefault(home(name, getattr(sfnkit, name)), []).append(name)
    sections = []
    for module in sorted(groups):
        summary = (inspect.getdoc(sys.modules[module]) or "").split("\n\n")[0].replace("\n", " ")
        blocks = "\n\n".join(f"::: {module}.{name}" for name in groups[module])
        sections.append(f"## `{module}`\n\n{summary}\n\n{blocks}\n")
    for module in MODULES:
        if importlib.util.find_spec(module) is not None:
            options = "    options:\n      show_root_heading: false\n      show_if_no_docstring: true\n"
            sections.append(f"## Module `{module}`\n\n::: {module}\n{options}")
    return "\n".join(sections)


def home(name: str, value: object) -> str:
    """The module that defines *value* (a class or function knows it; an object such as ``data`` is found in the
    sfnkit module that lists it in its ``__all__``)."""
    if (inspect.isclass(value) or inspect.isfunction(value)) and getattr(value, "__qualname__", "") == name:
        return str(value.__module__)
    owners = [
        module_name
        for module_name, module in sorted(sys.modules.items())
        if module_name.startswith("sfnkit.")
        and vars(module).get(name) is value
        and name in getattr(module, "__all__", ())
    ]
    if not owners:
        raise LookupError(f"sfnkit.{name}: no sfnkit module lists it in __all__; the API reference cannot place it")
    return min(owners, key=len)
