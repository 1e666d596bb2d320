#!/usr/bin/env bash
# Benchmarks the whole input guard (`moat guard bench`) against
# presidio-analyzer's pattern recognizers and detect-secrets on the same
# 4 KB prompts in one run, and appends the results, the command and the
# machine to docs/benchmarks.md.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
testdata="${MOAT_TESTDATA:-$root/../shared/testdata}"
venv="$root/.venv-bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -d "$testdata/pii" ]; then
    echo "bench: no test data at $testdata; set MOAT_TESTDATA" >&2
    exit 2
fi

swift build -c release --product moat >&2
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check presidio-analyzer detect-secrets >&2

"$venv/bin/python" bench/guard/make_prompts.py "$testdata" "$work/prompts.jsonl"
moat_result="$(.build/release/moat guard bench "$work/prompts.jsonl")"
other_results="$("$venv/bin/python" bench/guard/compare.py "$work/prompts.jsonl")"

load="$(cut -d' ' -f1-3 /proc/loadavg)"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //' || uname -m)"
swift_version="$(swift --version 2>/dev/null | head -1)"
{
    echo
    echo "## Guardrails input pipeline, $(date -u +%Y-%m-%d)"
    echo
    echo "Command: \`make bench\` (bench/guard/run.sh). Machine: $cpu, $(nproc) cores, $(uname -sr). $swift_version, release build. Load average before the run: $load."
    echo "Prompts: texts of the development sets packed into prompts of at most 4096 bytes; one warm-up pass, then 5 timed passes on one thread."
    echo
    echo "| tool | prompts | median µs per prompt | p95 µs | scans per second |"
    echo "|---|---:|---:|---:|---:|"
    printf '%s\n%s\n' "$moat_result" "$other_results" | "$venv/bin/python" bench/guard/table.py
} | tee -a docs/benchmarks.md
