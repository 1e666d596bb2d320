"""The parsed modules and examples under test, shared by the test files.

Examples are found by glob, whatever their folder names, and grouped by
the pattern each declares in `locals { pattern = N }`.
"""

from __future__ import annotations

from terraform_source import example_folders, example_pattern, load_configuration, module_folders

MODULES = {path.name: load_configuration(path) for path in module_folders()}
EXAMPLES = {path.name: load_configuration(path) for path in example_folders()}
EVERY_FOLDER = {**{f"modules/{name}": c for name, c in MODULES.items()}, **{f"examples/{name}": c for name, c in EXAMPLES.items()}}


def examples_of_pattern(*patterns: int) -> list[str]:
    """Return the names of the examples that build one of the given patterns."""
    return sorted(name for name, example in EXAMPLES.items() if example_pattern(example) in patterns)


def assert_no_violations(violations: list[str], rule: str) -> None:
    """Fail with the rule and one line per violation, each naming the resource and the fix."""
    assert not violations, f"{rule}:\n  " + "\n  ".join(violations)
