"""Combine the token validation measurements into a table and add it to docs/benchmarks.md.

Reads moat-bench and PyJWT JSON lines and `openssl speed` output from files,
prints a Markdown table, and inserts it at the end of the "## Token validation"
section of the benchmarks page, creating the section if absent and leaving
every other section untouched.
GOAL_JSON is the line of `moat-bench goal`: RS256 AccessTokenValidator and
OpenSSL's verify of the same signature, alternated in slices of CPU time.
Usage: python report.py MOAT_JSON PYJWT_JSON OPENSSL_TXT GOAL_JSON BENCHMARKS_MD COMMAND MACHINE
"""

import datetime
import json
import pathlib
import re
import sys

SECTION = "## Token validation"


def openssl_verify_rates(text):
    """Return the highest verify rate per algorithm over all `openssl speed` runs in `text`."""
    rates = {}
    patterns = {
        "RS256": r"^rsa 2048 bits\s+\S+s\s+\S+s\s+\S+\s+(\S+)",
        "ES256": r"^\s*256 bits ecdsa \(nistp256\)\s+\S+s\s+\S+s\s+\S+\s+(\S+)",
    }
    for algorithm, pattern in patterns.items():
        found = [float(value) for value in re.findall(pattern, text, re.M)]
        if found:
            rates[algorithm] = max(found)
    return rates


def main():
    moat_file, pyjwt_file, openssl_file, goal_file, page_file, command, machine = sys.argv[1:8]
    rows = [json.loads(line) for line in pathlib.Path(moat_file).read_text().splitlines() if line.strip()]
    pyjwt = {row["algorithm"]: row["per_second"] for row in map(json.loads, pathlib.Path(pyjwt_file).read_text().splitlines()) if row}
    openssl = openssl_verify_rates(pathlib.Path(openssl_file).read_text())

    lines = [
        "| algorithm | layer | validations/s | vs `openssl speed` verify | vs PyJWT |",
        "|---|---|---:|---:|---:|",
    ]
    for row in rows:
        algorithm, rate = row["algorithm"], row["per_second"]
        raw, python = openssl.get(algorithm), pyjwt.get(algorithm)
        raw_text = f"{rate / raw * 100:.0f}% of {raw:,.0f}" if raw else "n/a"
        python_text = f"{rate / python:.1f}x of {python:,}" if python else "n/a"
        lines.append(f"| {algorithm} | {row['layer']} | {rate:,} | {raw_text} | {python_text} |")
    for algorithm, rate in pyjwt.items():
        raw = openssl.get(algorithm)
        raw_text = f"{rate / raw * 100:.0f}% of {raw:,.0f}" if raw else "n/a"
        lines.append(f"| {algorithm} | PyJWT `jwt.decode` | {rate:,} | {raw_text} | 1.0x |")
    table = "\n".join(lines)

    goal = json.loads(pathlib.Path(goal_file).read_text())
    validator, peer = goal["validator_per_second"], goal["openssl_per_second"]
    speed_text = f", against {openssl['RS256']:,.0f} by `openssl speed`" if "RS256" in openssl else ""
    table += (
        f"\n\nInterleaved (`moat-bench goal`, {goal['slice_seconds'] * 1000:.0f} ms slices): RS256 AccessTokenValidator "
        f"{validator:,}/s, OpenSSL `EVP_PKEY_verify` of the same signature {peer:,}/s{speed_text}: "
        f"**{validator / peer * 100:.1f}%** of raw OpenSSL verify."
    )

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    entry = f"\n### Run of {stamp}\n\nCommand: `{command}`. Machine: {machine}.\n\n{table}\n"
    print(table)

    page = pathlib.Path(page_file)
    text = page.read_text() if page.exists() else "# Benchmarks\n\nMeasured results, newest last in each section.\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n" + (
            "Validations per second of CPU time on one thread (`moat-bench speed`, release build), "
            "against `openssl speed` verify for the same key size, which also divides by CPU time, "
            "and against PyJWT 2 with the same claims and checks. `JWTVerifier` is the whole JOSE "
            "verification; `AccessTokenValidator` adds the Entra claim rules the api applies. "
            "The `openssl speed` rate is the higher of a run before and one after `moat-bench`.\n"
        )
    start = text.index(SECTION)
    following = re.search(r"^## ", text[start + len(SECTION):], re.M)
    end = start + len(SECTION) + following.start() if following else len(text)
    section = text[start:end].rstrip("\n") + "\n" + entry
    text = text[:start] + section + ("\n" + text[end:] if following else "")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text)


if __name__ == "__main__":
    main()
