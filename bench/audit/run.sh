#!/bin/sh
# Audit log benchmark: durable appends per second with group commit (many
# concurrent writers, each append waiting for its fsync'd commit) and verify
# throughput in MB/s of record text, on a release build.
#
# Usage: bench/audit/run.sh [WRITERS] [RECORDS]   (defaults 64 and 50000)
# Prints one result line. With BENCH_RECORD=1 it also adds a dated entry with
# the command and machine to the "Audit log" section of docs/benchmarks.md.
set -eu

cd "$(dirname "$0")/../.."
writers="${1:-64}"
records="${2:-50000}"

swift build -c release --product moat >/dev/null
result="$(.build/release/moat audit bench --writers "$writers" --records "$records")"
echo "$result"

if [ "${BENCH_RECORD:-0}" = "1" ]; then
    cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    entry="- $(date -u +%Y-%m-%d), \`bench/audit/run.sh $writers $records\`, $(nproc) cores ($cpu), $(uname -sr), \
$(df -T "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2}') under ${TMPDIR:-/tmp}, load average $(cut -d' ' -f1 /proc/loadavg): $result"
    # Insert at the end of the "## Audit log" section, which other sections may follow.
    awk -v entry="$entry" '
        /^## / { if (inside) { print entry; print ""; printed = 1 } inside = ($0 == "## Audit log") }
        { print }
        END { if (inside && !printed) print entry }
    ' docs/benchmarks.md > docs/benchmarks.md.new
    mv docs/benchmarks.md.new docs/benchmarks.md
fi
