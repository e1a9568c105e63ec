# SPDX-License-Identifier: EUPL-1.2
# MinIO from source through the Go module proxy, as deploy/local/up builds it.
FROM golang:1.26-bookworm AS build
ARG MINIO_VERSION
RUN CGO_ENABLED=0 go install "github.com/minio/minio@${MINIO_VERSION}"

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /go/bin/minio /usr/local/bin/minio
ENTRYPOINT ["minio"]
