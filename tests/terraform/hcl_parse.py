"""Parse every .tf file under deploy/azure (or AZURE_TERRAFORM_ROOT) with python-hcl2 and report each failure.

Usage: python tests/terraform/hcl_parse.py
Prints one line per file that fails, then "hcl parse: N files, M failed";
exits 1 when any file fails.
"""

from __future__ import annotations

import sys

from terraform_source import AZURE_ROOT, parse_file, terraform_files


def main() -> int:
    files = terraform_files()
    failures = 0
    for path in files:
        try:
            parse_file(path)
        except Exception as error:  # the parser raises several unrelated types (lark, ValueError)
            failures += 1
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            print(f"{path.relative_to(AZURE_ROOT)}: {first_line}")
    print(f"hcl parse: {len(files)} files, {failures} failed")
    return 1 if failures or not files else 0


if __name__ == "__main__":
    sys.exit(main())
