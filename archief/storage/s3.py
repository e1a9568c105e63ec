# SPDX-License-Identifier: EUPL-1.2
"""The real object store: MinIO (or any S3) through the official `minio` client."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, BinaryIO

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED
from minio.error import MinioException, S3Error
from minio.versioningconfig import VersioningConfig

from archief.errors import IntegrityError, NotFound, PortError
from archief.ports import ObjectInfo
from archief.settings import ObjectStoreSettings
from archief.storage.common import CHUNK, HashingReader, validate_key

# S3 multipart parts must be at least 5 MiB; 16 MiB keeps part counts low for
# large scans without holding much in memory.
PART_SIZE = 16 * 1024 * 1024
# Uploads of unknown digest are spooled to disk past this size, never to RAM.
SPOOL_MAX_MEMORY = 8 * 1024 * 1024
SHA_META = "X-Amz-Meta-Sha256"
# Buckets that tests and benches make for themselves and may throw away whole.
SCRATCH_PREFIXES = ("test-", "bench-")


class _Body(io.RawIOBase):
    """A readable that returns the HTTP connection to the pool when closed."""

    def __init__(self, response: Any) -> None:
        self._response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._response.read(len(buffer))
        except urllib3.exceptions.HTTPError as exc:
            # MinIO cuts the stream at a block that fails its bitrot check.
            raise PortError("objectstore", f"read broke off: {exc}") from exc
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._response.close()
            self._response.release_conn()
        super().close()


class S3ObjectStore:
    """Objects in one versioned bucket.

    The bucket is created with Object Lock, which S3 only allows at creation
    time and which implies versioning: legal holds (Archiefwet) can then map
    onto S3 legal holds. `delete` removes every version, because destruction
    must leave no remnant.
    """

    def __init__(self, client: Minio, bucket: str, endpoint: str) -> None:
        self.client = client
        self.bucket = bucket
        self.endpoint = endpoint

    @classmethod
    def from_settings(cls, settings: ObjectStoreSettings) -> S3ObjectStore:
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=60),
            # MinIO answers a read of a rotten object with 503 and Retry-After:
            # 60; honouring it would stall every such read for three minutes.
            retries=urllib3.Retry(
                total=3,
                backoff_factor=0.3,
                status_forcelist=(502, 503, 504),
                respect_retry_after_header=False,
            ),
            maxsize=16,
        )
        client = Minio(
            settings.endpoint,
            access_key=settings.access_key,
            secret_key=settings.secret_key.get_secret_value(),
            secure=settings.secure,
            region=settings.region,
            http_client=http,
        )
        return cls(client, settings.bucket, settings.endpoint)

    def ensure_bucket(self) -> None:
        """Create the bucket with Object Lock and versioning, once."""
        try:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket, object_lock=True)
            self.client.set_bucket_versioning(self.bucket, VersioningConfig(ENABLED))
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"cannot prepare bucket {self.bucket}: {exc}") from exc

    def presigned_url(self, key: str, *, seconds: int, filename: str | None = None) -> str:
        """A short-lived GET URL for `key`; the caller has authorised the download first."""
        validate_key(key)
        headers: dict[str, str | list[str] | tuple[str]] | None = (
            {"response-content-disposition": f'attachment; filename="{filename}"'}
            if filename
            else None
        )
        try:
            return str(
                self.client.presigned_get_object(
                    self.bucket,
                    key,
                    expires=timedelta(seconds=seconds),
                    response_headers=headers,
                )
            )
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"cannot sign a URL for {key}: {exc}") from exc

    def versioning_enabled(self) -> bool:
        return bool(self.client.get_bucket_versioning(self.bucket).status == ENABLED)

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        content_type: str = "application/octet-stream",
        sha256: str | None = None,
        size: int | None = None,
    ) -> ObjectInfo:
        validate_key(key)
        if sha256 is None:
            # S3 metadata travels in the request headers, before the body: a
            # digest we do not know yet has to be computed first.
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY) as spool:
                reader = HashingReader(stream)
                while chunk := reader.read(CHUNK):
                    spool.write(chunk)
                spool.seek(0)
                return self._put(
                    key,
                    spool,  # type: ignore[arg-type]  # a SpooledTemporaryFile reads like BinaryIO
                    content_type=content_type,
                    sha256=reader.hexdigest,
                    size=reader.size,
                    # The caller did not name the bytes, so it does not rely
                    # on deduplication: skip the round trip that checks.
                    check_existing=False,
                )
        return self._put(
            key, stream, content_type=content_type, sha256=sha256, size=size, check_existing=True
        )

    def _put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        content_type: str,
        sha256: str,
        size: int | None,
        check_existing: bool,
    ) -> ObjectInfo:
        if check_existing:
            try:
                existing = self.stat(key)
            except NotFound:
                existing = None
            if existing is not None and existing.sha256 == sha256:
                return existing
        reader = HashingReader(stream)
        try:
            result = self.client.put_object(
                self.bucket,
                key,
                reader,  # type: ignore[arg-type]  # minio only calls read()
                length=size if size is not None else -1,
                part_size=PART_SIZE,
                content_type=content_type,
                metadata={SHA_META: sha256},
            )
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"put {key} failed: {exc}") from exc
        except OSError as exc:
            # minio refuses a stream shorter than its announced length before
            # anything is stored.
            if size is not None and reader.size < size:
                raise IntegrityError(f"received {reader.size} bytes, announced {size}") from exc
            raise PortError("objectstore", f"put {key} failed: {exc}") from exc
        if reader.hexdigest != sha256 or (size is not None and reader.size != size):
            # Remove exactly the version we wrote: an earlier good version of
            # the same key must survive a bad upload.
            self._remove_version(key, result.version_id)
            raise IntegrityError(
                f"content hashes to {reader.hexdigest}, not {sha256}",
                expected=sha256,
                actual=reader.hexdigest,
            )
        return ObjectInfo(key, reader.size, sha256, content_type, result.version_id)

    def _remove_version(self, key: str, version_id: str | None) -> None:
        try:
            self.client.remove_object(self.bucket, key, version_id=version_id)
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"delete {key} failed: {exc}") from exc

    def open(self, key: str) -> BinaryIO:
        validate_key(key)
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchVersion"):
                raise NotFound(f"no object {key}") from exc
            raise PortError("objectstore", f"get {key} failed: {exc}") from exc
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"get {key} failed: {exc}") from exc
        return io.BufferedReader(_Body(response), buffer_size=CHUNK)

    def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        try:
            obj = self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchVersion", "NoSuchObject"):
                raise NotFound(f"no object {key}") from exc
            raise PortError("objectstore", f"stat {key} failed: {exc}") from exc
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"stat {key} failed: {exc}") from exc
        meta = obj.metadata or {}
        digest = meta.get(SHA_META) or meta.get(SHA_META.lower()) or ""
        return ObjectInfo(
            key,
            int(obj.size or 0),
            str(digest),
            str(obj.content_type or "application/octet-stream"),
            obj.version_id,
        )

    def versions(self, key: str) -> list[str]:
        """Every stored version id of a key, delete markers included."""
        validate_key(key)
        try:
            return [
                str(o.version_id)
                for o in self.client.list_objects(self.bucket, prefix=key, include_version=True)
                if o.object_name == key
            ]
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"list versions of {key} failed: {exc}") from exc

    def delete(self, key: str) -> None:
        for version_id in self.versions(key):
            self._remove_version(key, version_id)

    def purge(self, prefix: str) -> int:
        validate_key(prefix.rstrip("/"))
        try:
            found = [
                (str(o.object_name), o.version_id)
                for o in self.client.list_objects(
                    self.bucket, prefix=prefix, recursive=True, include_version=True
                )
                if o.object_name is not None
            ]
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"list versions under {prefix} failed: {exc}") from exc
        for key, version_id in found:
            self._remove_version(key, version_id)
        return len(found)

    def set_legal_hold(self, key: str, on: bool) -> int:
        """Put (or lift) an S3 legal hold on every version of `key`; how many versions.

        A legal hold has no expiry date, so it can never outlive the record's
        destruction date: archief lifts it when the last hold on the record
        is lifted, and destruction refuses held records before it gets here.
        """
        changed = 0
        for version_id in self.versions(key):
            try:
                if on:
                    self.client.enable_object_legal_hold(self.bucket, key, version_id)
                else:
                    self.client.disable_object_legal_hold(self.bucket, key, version_id)
            except (MinioException, urllib3.exceptions.HTTPError) as exc:
                raise PortError("objectstore", f"legal hold on {key} failed: {exc}") from exc
            changed += 1
        return changed

    def legal_hold(self, key: str) -> bool:
        """Whether the current version of `key` is under an S3 legal hold."""
        validate_key(key)
        try:
            return bool(self.client.is_object_legal_hold_enabled(self.bucket, key))
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"legal hold of {key} unknown: {exc}") from exc

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        try:
            for obj in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
                if obj.object_name is not None:
                    yield obj.object_name
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"list {prefix!r} failed: {exc}") from exc

    def remove_scratch_bucket(self) -> None:
        """Delete every version and the bucket itself: test and bench buckets only."""
        if not self.bucket.startswith(SCRATCH_PREFIXES):
            raise RuntimeError(f"refusing to remove non-scratch bucket {self.bucket}")
        try:
            if not self.client.bucket_exists(self.bucket):
                return
            for obj in self.client.list_objects(self.bucket, recursive=True, include_version=True):
                if obj.object_name is not None:
                    if not obj.is_delete_marker:
                        # A held version cannot be removed; in a scratch bucket, lift it.
                        self.client.disable_object_legal_hold(
                            self.bucket, obj.object_name, obj.version_id
                        )
                    self.client.remove_object(
                        self.bucket, obj.object_name, version_id=obj.version_id
                    )
            self.client.remove_bucket(self.bucket)
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"cannot remove {self.bucket}: {exc}") from exc

    def check(self) -> str:
        try:
            if not self.client.bucket_exists(self.bucket):
                raise PortError("objectstore", f"bucket {self.bucket} does not exist")
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise PortError("objectstore", f"{self.endpoint} unreachable: {exc}") from exc
        return f"s3 {self.endpoint}/{self.bucket}"
