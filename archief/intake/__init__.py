# SPDX-License-Identifier: EUPL-1.2
"""Intake (ontvangst): files handed in by upload or bulk import become stored originals."""
