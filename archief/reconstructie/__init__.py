# SPDX-License-Identifier: EUPL-1.2
"""Reconstruction: a dossier as it was on any date, for the ombudsman, under a case grant."""
