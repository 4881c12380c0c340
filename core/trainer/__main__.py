"""``python -m core.trainer``: see core/trainer/cli.py."""

import sys

from core.trainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
