"""The pytest plugin, run on small test suites with pytester: the sfnkit_run fixture and its assertions (failure
messages show the path taken and a diff), test cases from a MockConfigFile, and --sfnkit-cov."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sfnkit.engine.mocks import OBSERVERS

pytest_plugins = ["pytester"]

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

DRAGONS_SUITE = """
from dragons import dragons
from sfnkit.testing import Return

SNS = {"NotifyInserted": Return({"MessageId": "1"}), "NotifyExists": Return({"MessageId": "2"})}

def test_known(sfnkit_run):
    sfnkit_run(dragons, {"dragon": {"name": "Smaug"}}, mocks=SNS).assert_path("ValidateDragon", "IsNew", "NotifyExists")

def test_other_known(sfnkit_run):
    sfnkit_run(dragons, {"dragon": {"name": "Toothless"}}, mocks=SNS).assert_succeeded()
"""


# The inner runs need neither Hypothesis's statistics nor pytest-xdist: leaving them out halves their time.
QUIET = ("-p", "no:hypothesispytest", "-p", "no:xdist", "-p", "no:cacheprovider")


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*QUIET, *args)


@pytest.fixture
def with_dragons(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester folder where ``import dragons`` finds examples/dragons.py."""
    shutil.copy(EXAMPLES / "dragons.py", pytester.path / "dragons.py")
    pytester.syspathinsert()
    return pytester


def test_the_plugin_is_registered_by_its_entry_point(pytester: pytest.Pytester):
    """Installed sfnkit adds its options and fixtures to any pytest run."""
    result = _run(pytester, "--help")
    result.stdout.fnmatch_lines(["*--sfnkit-cov*", "*--sfnkit-cov-json=PATH*"])
    pytester.makepyfile("def test_fixture(sfnkit_run):\n    assert callable(sfnkit_run)\n")
    _run(pytester).assert_outcomes(passed=1)


def test_a_wrong_path_shows_the_path_taken_and_a_diff(with_dragons: pytest.Pytester):
    """assert_path fails with the path taken, the status and a unified diff."""
    with_dragons.makepyfile(
        """
        from dragons import dragons
        from sfnkit.testing import Return

        def test_path(sfnkit_run):
            mocks = {"NotifyExists": Return({"MessageId": "1"})}
            sfnkit_run(dragons, {"dragon": {"name": "Smaug"}}, mocks=mocks).assert_path(
                "ValidateDragon", "IsNew", "AddDragon", "NotifyInserted"
            )
        """
    )
    result = _run(with_dragons)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: the execution took another path",
            "E*path taken: ValidateDragon -> IsNew -> NotifyExists",
            "E*status:     SUCCEEDED",
            "E*--- expected",
            "E*+++ actual",
            "E*-AddDragon",
            "E*-NotifyInserted",
            "E*+NotifyExists",
        ]
    )


def test_wrong_calls_and_output_show_a_diff(with_dragons: pytest.Pytester):
    """assert_calls compares resource and evaluated parameters in order; assert_output diffs the JSON."""
    with_dragons.makepyfile(
        """
        from dragons import dragons
        from sfnkit.testing import Call, Return

        SNS = "arn:aws:states:::sns:publish"
        TOPIC = "arn:aws:sns:us-east-1:123456789012:dragons"
        VALIDATE = {"FunctionName": "ValidateDragon", "Payload": {"dragon": {"name": "Smaug"}}}

        def run(sfnkit_run):
            mocks = {"NotifyExists": Return({"MessageId": "1"})}
            return sfnkit_run(dragons, {"dragon": {"name": "Smaug"}}, mocks=mocks)

        def test_calls_pass(sfnkit_run):
            run(sfnkit_run).assert_calls(
                ("arn:aws:states:::lambda:invoke", VALIDATE),
                Call(SNS, {"TopicArn": TOPIC, "Message": "Already exists"}, state="NotifyExists"),
            )

        def test_calls_fail(sfnkit_run):
            run(sfnkit_run).assert_calls(
                ("arn:aws:states:::lambda:invoke", VALIDATE),
                (SNS, {"TopicArn": TOPIC, "Message": "Record inserted"}),
            )

        def test_output_fails(sfnkit_run):
            run(sfnkit_run).assert_output({"dragon": {"name": "Smaug"}, "is_new": True})
        """
    )
    result = _run(with_dragons)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: the calls differ",
            "E*path taken: ValidateDragon -> IsNew -> NotifyExists",
            'E*-arn:aws:states:::sns:publish {"Message": "Record inserted", "TopicArn": *}',
            'E*+arn:aws:states:::sns:publish {"Message": "Already exists", "TopicArn": *}',
        ]
    )
    result.stdout.fnmatch_lines(["E*AssertionError: the output differs", 'E*-  "is_new": true', 'E*+  "is_new": false'])


def test_test_cases_come_from_the_configured_mock_file(pytester: pytest.Pytester):
    """With sfnkit_mock_config in the ini file, test_case= picks a test case of the machine by its name."""
    shutil.copy(FIXTURES / "MockConfigFile.json", pytester.path / "MockConfigFile.json")
    shutil.copy(FIXTURES / "LambdaSQSIntegration.asl.json", pytester.path / "machine.json")
    pytester.makeini("[pytest]\nsfnkit_mock_config = MockConfigFile.json\n")
    pytester.makepyfile(
        """
        from pathlib import Path
        import pytest
        from sfnkit import from_asl

        MACHINE = from_asl(Path(__file__).with_name("machine.json").read_text())

        @pytest.mark.parametrize("case", ["HappyPath", "RetryPath"])
        def test_cases(sfnkit_run, case):
            run = sfnkit_run(MACHINE, {}, test_case=case, state_machine="LambdaSQSIntegration")
            run.assert_path("LambdaState", "SQSState").assert_output(
                {"MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
                 "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}
            )
            assert len(run.calls) == {"HappyPath": 2, "RetryPath": 5}[case]

        def test_the_loaded_file(sfnkit_mock_config):
            assert sorted(sfnkit_mock_config.test_cases) == ["LambdaSQSIntegration"]
        """
    )
    _run(pytester).assert_outcomes(passed=3)


def test_sfn_mock_config_names_the_file_as_for_step_functions_local(pytester: pytest.Pytester, monkeypatch):
    """Without the ini option, $SFN_MOCK_CONFIG (Step Functions Local's variable) names the mock file."""
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(FIXTURES / "MockConfigFile.json"))
    pytester.makepyfile(
        """
        def test_file(sfnkit_mock_config):
            assert sfnkit_mock_config.source.endswith("MockConfigFile.json")
        """
    )
    _run(pytester).assert_outcomes(passed=1)


def test_a_test_case_without_a_mock_file_says_how_to_configure_one(pytester: pytest.Pytester, monkeypatch):
    """No ini option and no SFN_MOCK_CONFIG: the test fails saying where to name the file."""
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    pytester.makepyfile(
        """
        from sfnkit import pass_, workflow

        def test_case(sfnkit_run):
            sfnkit_run(workflow("W", pass_(name="P")), {}, test_case="HappyPath")
        """
    )
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no mock configuration: set `sfnkit_mock_config = path/to/MockConfigFile.json`*"])


def test_coverage_reports_the_one_choice_rule_a_suite_left(with_dragons: pytest.Pytester):
    """--sfnkit-cov on a suite of known dragons names the `is_new == true` rule; the JSON says the same."""
    with_dragons.makepyfile(DRAGONS_SUITE)
    result = _run(with_dragons, "--sfnkit-cov", "--sfnkit-cov-json=cov.json")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*- sfnkit workflow coverage -*",
            "Dragons   55.6%  states     3/5  transitions     2/4  (2 executions)",
            "    state not run: AddDragon",
            "    state not run: NotifyInserted",
            "    transition not taken: IsNew.Choices[0] (is_new == true) -> AddDragon",
            "    transition not taken: AddDragon.Next -> NotifyInserted",
            "coverage JSON written to cov.json",
        ]
    )
    assert OBSERVERS == []  # the inner session stopped watching when it ended
    report = json.loads((with_dragons.path / "cov.json").read_text())
    assert [(w["name"], w["missed_transitions"]) for w in report["workflows"]] == [
        (
            "Dragons",
            [
                {"from": "IsNew", "transition": "Choices[0]", "to": "AddDragon", "rule": "is_new == true"},
                {"from": "AddDragon", "transition": "Next", "to": "NotifyInserted"},
            ],
        )
    ]


def test_coverage_draws_each_workflow(with_dragons: pytest.Pytester):
    """--sfnkit-cov-diagrams writes each workflow's coverage diagram (DOT always; SVG when dot is there)."""
    with_dragons.makepyfile(DRAGONS_SUITE)
    result = _run(with_dragons, "--sfnkit-cov-diagrams=diagrams")
    result.stdout.fnmatch_lines(["Dragons: *"])
    dot = (with_dragons.path / "diagrams" / "Dragons.dot").read_text()
    assert "Coverage 55.6%" in dot and dot.count("style=dashed") == 3


def test_without_the_option_there_is_no_report(with_dragons: pytest.Pytester):
    """Coverage costs nothing unless asked for."""
    with_dragons.makepyfile(DRAGONS_SUITE)
    result = _run(with_dragons)
    result.assert_outcomes(passed=2)
    assert "sfnkit workflow coverage" not in result.stdout.str()


@pytest.mark.slow
def test_coverage_adds_up_across_xdist_workers(with_dragons: pytest.Pytester):
    """With pytest-xdist each worker collects its share and the controller reports the sum."""
    with_dragons.makepyfile(DRAGONS_SUITE)
    result = with_dragons.runpytest_subprocess("-n", "2", "-p", "xdist", "--sfnkit-cov")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["Dragons   55.6%  states     3/5  transitions     2/4  (2 executions)"])
