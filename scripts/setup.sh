#!/usr/bin/env bash
# Installs what Moat needs on Debian 12 and is still missing: the C libraries
# it links, pdftotext, and Chromium with its driver for the browser test. Then
# creates the Python virtualenv (.venv) for the interoperability and browser
# tests. Safe to run again: it only installs what is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    libssl-dev libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev
    libhttp-parser-dev
    poppler-utils chromium chromium-driver python3-venv
)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: swift is not on PATH; install Swift 6.x and add its bin folder to PATH" >&2
    exit 1
fi

# The Python test peers: every scripts/requirements-*.txt except the
# benchmark ones, reinstalled whenever one of those files changes.
if [ "${1:-}" = "--with-python" ]; then
    requirement_files=()
    for file in scripts/requirements-*.txt; do
        case "$file" in *bench*) ;; *) requirement_files+=("$file") ;; esac
    done
    stamp=".venv/.requirements.sha256"
    wanted="$(cat "${requirement_files[@]}" | sha256sum | cut -d' ' -f1)"
    if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        echo "setup: installing the Python test peers into .venv"
        python3 -m venv .venv
        for file in "${requirement_files[@]}"; do
            .venv/bin/pip install -q --disable-pip-version-check -r "$file"
        done
        echo "$wanted" > "$stamp"
    fi
fi
