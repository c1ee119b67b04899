"""Policy tests (`accord test`): YAML files of questions and expected answers, run against a policy.

A test file (`NAME.test.yaml`, beside the policy `NAME.accord` it tests) names the policy, the
facts and the as-of date, then lists cases: a question (check, pair, incentives, access,
commitments) and what is expected. `load_suite` reads one file (every problem a `TestFileError`
with its file:line), `run_suite` asks each question through the public API, and `Coverage`
records which of met / not met / unknown every condition of every rule took (roles, pairs,
incentives, records, commitments, quantifier bodies).
`docs/testing.md` describes the format for policy authors.

One module per step: `suites` reads a test file, `running` asks each case's question and reports,
`coverage` records which result each condition took, `generate` writes boundary cases
(`accord test --generate`).
"""

from .coverage import Coverage, reachable
from .generate import generate
from .running import junit_xml, report_json, report_text, run_case, run_suite
from .suites import MET, NOT_MET, QUESTIONS, SUFFIX, UNKNOWN, Case, CaseResult, Failure, Suite, TestFileError, discover, load_suite

__all__ = [
    "MET", "NOT_MET", "QUESTIONS", "SUFFIX", "UNKNOWN",
    "Case", "CaseResult", "Coverage", "Failure", "Suite", "TestFileError",
    "discover", "generate", "junit_xml", "load_suite", "reachable", "report_json", "report_text", "run_case", "run_suite",
]
