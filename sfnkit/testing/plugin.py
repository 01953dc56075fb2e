"""The pytest plugin (entry point ``pytest11: sfnkit``): the ``sfnkit_run`` fixture and ``--sfnkit-cov``.

``sfnkit_run(machine, input, mocks=..., test_case=...)`` runs a workflow on the virtual clock and returns a
``WorkflowRun`` whose ``assert_path``/``assert_calls``/``assert_output`` fail with the path taken and a diff.
``--sfnkit-cov`` reports, at the end of the session, which states and transitions of each workflow the tests ran
(every ``run()`` counts, not only the fixture's); ``--sfnkit-cov-json=PATH`` writes the report as JSON and
``--sfnkit-cov-diagrams=DIR`` draws each workflow with its untaken transitions dashed. Works with pytest-xdist.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # sfnkit itself is imported when a test first needs it: pytest starts as fast as without it
    from sfnkit.testing.assertions import WorkflowRun
    from sfnkit.testing.config import MockConfig
    from sfnkit.testing.coverage import CoverageReport

__all__ = ["pytest_addoption", "pytest_configure", "sfnkit_mock_config", "sfnkit_run"]

_WORKER_KEY = "sfnkit_coverage"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sfnkit", "sfnkit workflow testing")
    group.addoption(
        "--sfnkit-cov",
        action="store_true",
        default=False,
        help="report which states and transitions of each workflow the tests ran",
    )
    group.addoption("--sfnkit-cov-json", metavar="PATH", default=None, help="write the workflow coverage as JSON")
    group.addoption(
        "--sfnkit-cov-diagrams",
        metavar="DIR",
        default=None,
        help="draw each workflow's coverage into DIR (DOT, and SVG when Graphviz's dot is available)",
    )
    parser.addini(
        "sfnkit_mock_config",
        "a Step Functions Local MockConfigFile for sfnkit_run(test_case=...) (else $SFN_MOCK_CONFIG)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    options = config.option
    if options.sfnkit_cov or options.sfnkit_cov_json or options.sfnkit_cov_diagrams:
        config.pluginmanager.register(_CoveragePlugin(config), "sfnkit-coverage")


class _CoveragePlugin:
    """Collects every execution of the session; on pytest-xdist, workers send theirs to the controller."""

    def __init__(self, config: pytest.Config) -> None:
        from sfnkit.testing.coverage import Coverage

        self.config = config
        self.coverage = Coverage()
        self._collecting = self.coverage.collecting()
        self._collecting.__enter__()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._collecting.__exit__(None, None, None)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # a pytest-xdist worker: the controller reports
            workeroutput[_WORKER_KEY] = json.dumps(self.coverage.report().to_dict())

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        sent = getattr(node, "workeroutput", {}).get(_WORKER_KEY)
        if sent:
            self.coverage.merge(json.loads(sent))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput"):
            return
        report = self.coverage.report()
        terminalreporter.write_sep("-", "sfnkit workflow coverage")
        terminalreporter.write_line(report.summary())
        options = self.config.option
        if options.sfnkit_cov_json:
            written = report.write_json(options.sfnkit_cov_json)
            terminalreporter.write_line(f"coverage JSON written to {written}")
        if options.sfnkit_cov_diagrams:
            for line in _draw(report, Path(options.sfnkit_cov_diagrams)):
                terminalreporter.write_line(line)


def _draw(report: CoverageReport, folder: Path) -> Iterable[str]:
    from sfnkit.errors import RenderError

    folder.mkdir(parents=True, exist_ok=True)
    for workflow in report.workflows:
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", workflow.name)
        graph = workflow.render()
        (folder / f"{stem}.dot").write_text(graph.source, encoding="utf-8")
        try:
            workflow.render(path=folder / f"{stem}.svg")
        except RenderError as exc:
            yield f"{workflow.name}: wrote {stem}.dot only ({str(exc).split('.')[0]})"
            continue
        yield f"{workflow.name}: coverage drawn to {folder / (stem + '.svg')}"


def _mock_config_path(config: pytest.Config) -> Path | None:
    configured = str(config.getini("sfnkit_mock_config") or "")
    if configured:  # relative to the ini file, as pytest's own path options are
        return (config.inipath.parent if config.inipath else config.rootpath) / configured
    from_env = os.environ.get("SFN_MOCK_CONFIG")  # the variable Step Functions Local reads
    return Path(from_env) if from_env else None


@pytest.fixture(scope="session")
def sfnkit_mock_config(pytestconfig: pytest.Config) -> MockConfig:
    """The session's mock configuration: the ``sfnkit_mock_config`` ini option, else ``$SFN_MOCK_CONFIG``."""
    from sfnkit.testing.config import MockConfig

    path = _mock_config_path(pytestconfig)
    if path is None:
        pytest.fail(
            "no mock configuration: set `sfnkit_mock_config = path/to/MockConfigFile.json` in the [pytest] ini "
            "section (or the SFN_MOCK_CONFIG environment variable), or pass mocks= to sfnkit_run",
            pytrace=False,
        )
    return MockConfig.load(path)


@pytest.fixture
def sfnkit_run(request: pytest.FixtureRequest) -> Callable[..., WorkflowRun]:
    """Run a workflow on the virtual clock: ``sfnkit_run(machine, input, mocks=..., test_case=..., **run_options)``.

    ``mocks`` is what ``sfnkit.run(mocks=)`` takes; ``test_case="HappyPath"`` picks that test case of the
    machine (by its name, or ``state_machine=``) from the session's mock configuration.
    """

    def run_workflow(
        machine: Any,
        input: Any = None,
        *,
        mocks: Mapping[str, Any] | None = None,
        test_case: str | None = None,
        state_machine: str | None = None,
        **options: Any,
    ) -> WorkflowRun:
        __tracebackhide__ = True
        from sfnkit import run
        from sfnkit.testing.assertions import WorkflowRun

        if test_case is not None:
            if mocks is not None:
                raise TypeError("sfnkit_run takes mocks= or test_case=, not both")
            name = state_machine or getattr(machine, "name", None)
            if not name:
                raise TypeError(f"test_case={test_case!r} needs the state machine's name: pass state_machine='...'")
            config: MockConfig = request.getfixturevalue("sfnkit_mock_config")
            mocks = config.test_case(name, test_case)
        return WorkflowRun(run(machine, input, mocks=mocks, **options))

    return run_workflow
