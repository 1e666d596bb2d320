"""Times presidio-analyzer's pattern recognizers and detect-secrets on the
benchmark prompts, the same way `moat guard bench` times the input guard:
one warm-up pass, then ROUNDS timed passes on one thread. Prints one JSON
object per tool."""
import json
import statistics
import sys
import time
from importlib.metadata import version

ROUNDS = 5


def load(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines]


def measure(name, prompts, scan):
    for prompt in prompts:
        scan(prompt)
    samples = []
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for prompt in prompts:
            start = time.perf_counter()
            scan(prompt)
            samples.append((time.perf_counter() - start) * 1e6)
    total = time.perf_counter() - started
    samples.sort()
    print(json.dumps({
        "tool": name,
        "prompts": len(prompts),
        "median_us": round(statistics.median(samples), 1),
        "p95_us": round(samples[int((len(samples) - 1) * 0.95)], 1),
        "scans_per_second": round(len(samples) / total),
    }))


def presidio_scanner():
    # Pattern recognizers only: no NLP engine and no spaCy model, which
    # matches what the Moat input guard does (rules, no model).
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer, EmailRecognizer, IbanRecognizer, IpRecognizer, UkNinoRecognizer, UsSsnRecognizer,
    )
    recognizers = [CreditCardRecognizer(), EmailRecognizer(), IbanRecognizer(), IpRecognizer(), UkNinoRecognizer(), UsSsnRecognizer()]

    def scan(text):
        for recognizer in recognizers:
            recognizer.analyze(text, entities=recognizer.supported_entities, nlp_artifacts=None)
    return scan


def detect_secrets_scanner():
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings
    context = default_settings()
    context.__enter__()

    def scan(text):
        for line in text.split("\n"):
            list(scan_line(line))
    return scan


def main():
    prompts = load(sys.argv[1])
    measure(f"presidio-analyzer {version('presidio-analyzer')} pattern recognizers", prompts, presidio_scanner())
    measure(f"detect-secrets {version('detect-secrets')}", prompts, detect_secrets_scanner())


if __name__ == "__main__":
    main()
