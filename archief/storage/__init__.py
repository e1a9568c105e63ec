# SPDX-License-Identifier: EUPL-1.2
"""Object store adapters: a filesystem store for the embedded mode, MinIO/S3 for real."""

from __future__ import annotations

from archief.ports import ObjectStore
from archief.settings import ObjectStoreSettings


def build_object_store(settings: ObjectStoreSettings) -> ObjectStore:
    """Return the object store the settings select."""
    if settings.backend == "s3":
        from archief.storage.s3 import S3ObjectStore  # noqa: PLC0415  # minio is only needed here

        return S3ObjectStore.from_settings(settings)
    from archief.storage.filesystem import FilesystemObjectStore  # noqa: PLC0415

    return FilesystemObjectStore(settings.root)
