# SPDX-License-Identifier: EUPL-1.2
"""The besluitnota workflow: parafen in order, college and council decisions, publication."""
