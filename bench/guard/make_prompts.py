"""Builds the benchmark prompts: texts from the public development sets,
packed in file order into prompts of 4096 UTF-8 bytes at most, so every
tool in the benchmark scans the same realistic mix of prose, personal data,
secrets and injections. Deterministic: same input, same prompts."""
import json
import sys
from pathlib import Path

TARGET_BYTES = 4096
SOURCES = [
    "prompt-injection/deepset-prompt-injections.dev.jsonl",
    "prompt-injection/notinject-overdefense.dev.jsonl",
    "prompt-injection/bipia-email-indirect.dev.jsonl",
    "pii/presidio-synth-v2.dev.jsonl",
    "pii/credsweeper-secrets-lines.dev.jsonl",
]


def texts(testdata: Path):
    for source in SOURCES:
        with open(testdata / source, encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)["text"]


def main() -> None:
    testdata, output = Path(sys.argv[1]), Path(sys.argv[2])
    prompts, current = [], []
    size = 0
    for text in texts(testdata):
        length = len(text.encode("utf-8")) + 1
        if length > TARGET_BYTES:
            continue
        if size + length > TARGET_BYTES:
            prompts.append("\n".join(current))
            current, size = [], 0
        current.append(text)
        size += length
    with open(output, "w", encoding="utf-8") as out:
        for prompt in prompts:
            out.write(json.dumps({"text": prompt}) + "\n")
    print(f"{len(prompts)} prompts written to {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
