# SPDX-License-Identifier: EUPL-1.2
"""`python -m bench` (what `make bench` runs): the ingest benchmark."""

from __future__ import annotations

import sys

from bench.ingest import main

if __name__ == "__main__":
    sys.exit(main())
