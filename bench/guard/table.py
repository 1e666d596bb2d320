"""Turns the JSON lines of the benchmark tools into Markdown table rows."""
import json
import sys

for line in sys.stdin:
    if line.strip():
        result = json.loads(line)
        cells = [result["tool"], result["prompts"], result["median_us"], result["p95_us"], result["scans_per_second"]]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
