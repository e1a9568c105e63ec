# SPDX-License-Identifier: EUPL-1.2
# The archief API and worker: Python 3.11 with Tesseract and the Dutch model.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng tesseract-ocr-osd poppler-utils \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY archief archief
COPY ingest ingest
COPY search search
COPY policies policies
RUN pip install --no-cache-dir .
USER nobody
