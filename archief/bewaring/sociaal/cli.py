# SPDX-License-Identifier: EUPL-1.2
"""`archief sociaal ...`: capture social media posts as records."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
