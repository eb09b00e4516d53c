"""`python -m abm` is the same as the `abm` console script."""

import sys

from abm.cli import main

sys.exit(main())
