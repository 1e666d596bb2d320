#!/usr/bin/env bash
# Checks the Azure Terraform under deploy/azure without a cloud or a terraform
# binary: python-hcl2 parses every .tf file, pytest asserts the security
# baseline on the parsed HCL (tests/terraform), and checkov scans each example
# with the local modules it calls. Installs what is missing into .venv
# (python-hcl2, pytest) and .venv/checkov (checkov, apart because its parser
# fork installs the same `hcl2` package). Ends with the line
# "terraform: N passed, M failed" and exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

venv=.venv
checkov_venv=.venv/checkov
checkov_lock=tests/terraform/requirements-checkov.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0

install_python_packages() {
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" || return 1
    fi
    if ! "$venv/bin/python" -c "import hcl2.utils, pytest" 2>/dev/null; then
        echo "terraform: installing python-hcl2 and pytest into $venv"
        "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-test.txt || return 1
    fi
    local pinned installed
    pinned=$(sed -n 's/^checkov==//p' "$checkov_lock")
    installed=$("$checkov_venv/bin/checkov" --version 2>/dev/null || true)
    if [ "$installed" != "$pinned" ]; then
        echo "terraform: installing checkov $pinned into $checkov_venv"
        python3 -m venv "$checkov_venv" || return 1
        "$checkov_venv/bin/pip" install -q --disable-pip-version-check -r "$checkov_lock" || return 1
    fi
}

if ! install_python_packages; then
    echo "terraform: installing the Python packages failed; see the pip output above" >&2
    echo "terraform: 0 passed, 1 failed"
    exit 1
fi

# 1. Parse every .tf file.
if "$venv/bin/python" tests/terraform/hcl_parse.py | tee "$work/parse.txt"; then :; fi
read -r parse_total parse_failed < <(sed -n 's/^hcl parse: \([0-9]*\) files, \([0-9]*\) failed$/\1 \2/p' "$work/parse.txt")
if [ -z "${parse_total:-}" ]; then
    parse_total=1
    parse_failed=1
fi
passed=$((passed + parse_total - parse_failed))
failed=$((failed + parse_failed))

# 2. The baseline tests.
"$venv/bin/python" -m pytest tests/terraform -q -p no:cacheprovider --junitxml="$work/pytest.xml"
read -r test_total test_failed < <("$venv/bin/python" - "$work/pytest.xml" <<'PY' 2>/dev/null
import sys
import xml.etree.ElementTree as ElementTree
suite = ElementTree.parse(sys.argv[1]).getroot()
suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
total, skipped = int(suite.get("tests")), int(suite.get("skipped"))
broken = int(suite.get("failures")) + int(suite.get("errors"))
print(total - skipped, broken)
PY
)
if [ -z "${test_total:-}" ] || [ "$test_total" -eq 0 ]; then
    echo "terraform: pytest ran no test" >&2
    test_total=1
    test_failed=1
fi
passed=$((passed + test_total - test_failed))
failed=$((failed + test_failed))

# 3. checkov on each example. --skip-download keeps checkov offline (no
# guideline download); where user namespaces work, unshare removes the
# network altogether so that nothing else can leave the machine either.
isolate=()
if unshare -rn true 2>/dev/null; then
    isolate=(unshare -rn)
fi
for example in deploy/azure/examples/*/; do
    name=$(basename "$example")
    report="$work/checkov-$name.json"
    echo "== checkov $name"
    "${isolate[@]}" "$checkov_venv/bin/checkov" -d "$example" --framework terraform --quiet --compact \
        --download-external-modules false --skip-download \
        -o cli -o json --output-file-path "console,$report"
    summary=$("$venv/bin/python" - "$report" <<'PY' 2>/dev/null
import json
import sys
from pathlib import Path
folder = Path(sys.argv[1])
path = folder / "results_json.json" if folder.is_dir() else folder
data = json.loads(path.read_text())
reports = data if isinstance(data, list) else [data]
summary = [0, 0, 0, 0]
for report in reports:
    for index, key in enumerate(("passed", "failed", "skipped", "parsing_errors")):
        summary[index] += int(report.get("summary", {}).get(key, 0))
print(*summary)
PY
    )
    read -r checks_passed checks_failed checks_skipped parse_errors <<<"${summary:-0 1 0 0}"
    echo "checkov $name: $checks_passed passed, $checks_failed failed, $checks_skipped skipped, $parse_errors parsing errors"
    if [ "$checks_failed" -eq 0 ] && [ "$parse_errors" -eq 0 ] && [ "$checks_passed" -gt 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done

echo "terraform: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
