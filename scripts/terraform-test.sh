#!/usr/bin/env bash
# Checks the Azure Terraform without a cloud and without provider downloads:
# `terraform fmt -check` when a terraform binary is installed, python-hcl2
# parses every .tf file, pytest asserts the security baseline on the parsed
# HCL (tests/terraform), and checkov scans each example with the local
# modules it calls. Installs what is missing into .venv (python-hcl2, pytest)
# and .venv/checkov (checkov, apart because its parser fork installs the same
# `hcl2` package). Ends with the line "terraform: N passed, M failed" and
# exits 1 on any failure.
#
# Usage: scripts/terraform-test.sh [DIR]
#   DIR: a copy of deploy/azure (with modules/ and examples/) to check instead
#   of this clone's own deploy/azure, for example your team's edited copy.
set -uo pipefail

root=""
if [ $# -gt 1 ]; then
    echo "usage: $0 [DIR]   (DIR: a copy of deploy/azure; default: this clone's deploy/azure)" >&2
    exit 2
fi
if [ $# -eq 1 ]; then
    if ! root=$(cd "$1" 2>/dev/null && pwd); then
        echo "terraform: $1 is not a folder; pass a copy of deploy/azure" >&2
        exit 2
    fi
    if [ ! -d "$root/modules" ] || [ ! -d "$root/examples" ]; then
        echo "terraform: $root has no modules/ and examples/ folders; pass a copy of deploy/azure" >&2
        exit 2
    fi
    # Read by tests/terraform/terraform_source.py.
    export AZURE_TERRAFORM_ROOT="$root"
fi
cd "$(dirname "$0")/.."
root=${root:-$PWD/deploy/azure}
echo "terraform: checking $root"

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

# 0. Formatting. `terraform fmt` needs no providers and no network; the
# other terraform commands (init, validate, plan) do, so they are not run.
if command -v terraform >/dev/null 2>&1; then
    echo "== terraform fmt -check -recursive"
    if terraform fmt -check -recursive -diff "$root"; then
        passed=$((passed + 1))
    else
        echo "terraform: the files above are not formatted; run terraform fmt -recursive $root" >&2
        failed=$((failed + 1))
    fi
else
    echo "terraform: no terraform binary on PATH, so formatting is not checked (install Terraform 1.9 or later)"
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
# -v lists every check, and each failure prints its message: the rule and the fix.
"$venv/bin/python" -m pytest tests/terraform -v -p no:cacheprovider --junitxml="$work/pytest.xml"
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
for example in "$root"/examples/*/; do
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
