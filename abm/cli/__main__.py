"""`python -m abm.cli` is the `abm` console script."""

import sys

from abm.cli import main

sys.exit(main())
