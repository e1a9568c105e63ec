# SPDX-License-Identifier: EUPL-1.2
"""structlog set-up: console lines for people, JSON lines for machines."""

from __future__ import annotations

import logging
import sys

import structlog


class _StderrLogger:
    """Print to whatever sys.stderr is now: test runners and CLIs swap it."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)  # noqa: T201  # this is the log sink

    log = debug = info = warn = warning = error = critical = exception = fatal = msg


def _stderr_logger(*_args: object) -> _StderrLogger:
    return _StderrLogger()


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    """Route stdlib and structlog through one renderer at the given level."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format="%(name)s: %(message)s")
    # Client libraries log every request at INFO, and casbin its whole model
    # for every policy built; that drowns our own events.
    for noisy in ("elastic_transport", "urllib3", "httpx", "celery.app.trace", "alembic", "casbin"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
