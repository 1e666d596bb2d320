import sys
from pathlib import Path

# The helpers sit beside the tests; pytest's rootdir-relative imports do not find them otherwise.
sys.path.insert(0, str(Path(__file__).resolve().parent))
