# SPDX-License-Identifier: EUPL-1.2
"""The ingest pipeline: intake, type detection, extraction, OCR, indexing, workers."""
