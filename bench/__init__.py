# SPDX-License-Identifier: EUPL-1.2
"""Benchmarks that print figures; tests never assert timings."""
