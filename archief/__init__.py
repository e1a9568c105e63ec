# SPDX-License-Identifier: EUPL-1.2
"""archief: het geheugen van de gemeente."""

__version__ = "0.1.0"
