# SPDX-License-Identifier: EUPL-1.2
"""One contract, two stores: the filesystem store and MinIO must behave alike."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from archief.errors import IntegrityError, NotFound
from archief.ports import ObjectStore
from archief.settings import Settings
from archief.storage.common import original_key
from archief.storage.filesystem import FilesystemObjectStore
from archief.storage.s3 import S3ObjectStore
from tests.conftest import purge_bucket


@pytest.fixture(params=["filesystem", "minio"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    if request.param == "filesystem":
        yield FilesystemObjectStore(tmp_path / "store")
        return
    settings: Settings = request.getfixturevalue("stack_settings")
    s3 = S3ObjectStore.from_settings(
        settings.objectstore.model_copy(update={"bucket": f"test-{uuid.uuid4().hex[:12]}"})
    )
    s3.ensure_bucket()
    yield s3
    purge_bucket(s3)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_put_get_stat_delete(store: ObjectStore) -> None:
    data = b"Besluit van het college over de speeltuin."
    key = original_key(_sha(data))
    info = store.put(key, io.BytesIO(data), content_type="text/plain", sha256=_sha(data))
    assert (info.size, info.sha256) == (len(data), _sha(data))
    with store.open(key) as f:
        assert f.read() == data
    stat = store.stat(key)
    assert (stat.size, stat.sha256, stat.content_type) == (len(data), _sha(data), "text/plain")
    assert list(store.list_keys("originals/")) == [key]
    store.delete(key)
    with pytest.raises(NotFound):
        store.stat(key)
    with pytest.raises(NotFound):
        store.open(key)
    store.delete(key)  # deleting what is gone is not an error


def test_purge_removes_everything_under_a_prefix_and_nothing_else(store: ObjectStore) -> None:
    sha = _sha(b"x")
    for name in ("page-1.txt", "page-1.hocr", "thumbnail.png"):
        store.put(f"derived/{sha}/{name}", io.BytesIO(name.encode()))
    store.put(f"derived/{sha}/page-1.txt", io.BytesIO(b"tweede versie"))
    store.delete(f"derived/{sha}/thumbnail.png")
    store.put(f"derived/{sha}/thumbnail.png", io.BytesIO(b"opnieuw"))
    neighbour = f"derived/{_sha(b'y')}/page-1.txt"
    store.put(neighbour, io.BytesIO(b"blijft"))
    removed = store.purge(f"derived/{sha}/")
    assert removed >= 3
    assert list(store.list_keys(f"derived/{sha}/")) == []
    assert list(store.list_keys("derived/")) == [neighbour]
    assert store.purge(f"derived/{sha}/") == 0
    if isinstance(store, S3ObjectStore):
        # Not a version, not a delete marker left under the prefix.
        left = list(
            store.client.list_objects(
                store.bucket, prefix=f"derived/{sha}/", recursive=True, include_version=True
            )
        )
        assert left == []


def test_wrong_hash_is_rejected_and_leaves_nothing(store: ObjectStore) -> None:
    data = b"scan van een besluitnota"
    wrong = _sha(b"iets anders")
    with pytest.raises(IntegrityError) as exc:
        store.put("originals/x/bad", io.BytesIO(data), sha256=wrong)
    assert exc.value.code == "integrity_error"
    with pytest.raises(NotFound):
        store.stat("originals/x/bad")
    assert list(store.list_keys("originals/x/")) == []


def test_bad_put_keeps_the_good_version(store: ObjectStore) -> None:
    good = b"het origineel"
    key = "originals/keep/me"
    store.put(key, io.BytesIO(good))
    with pytest.raises(IntegrityError):
        store.put(key, io.BytesIO(b"vervalst"), sha256=_sha(b"niet dit"))
    with store.open(key) as f:
        assert f.read() == good


def test_same_bytes_twice_is_idempotent(store: ObjectStore) -> None:
    data = b"dezelfde bytes"
    key = original_key(_sha(data))
    first = store.put(key, io.BytesIO(data), sha256=_sha(data))
    second = store.put(key, io.BytesIO(data), sha256=_sha(data))
    assert first.sha256 == second.sha256
    assert first.version_id == second.version_id


def test_unknown_digest_is_computed(store: ObjectStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    info = store.put("derived/unknown-digest", io.BytesIO(data))
    assert info.sha256 == _sha(data)
    assert store.stat("derived/unknown-digest").sha256 == _sha(data)


def test_large_stream_without_length(store: ObjectStore) -> None:
    # Bigger than one 16 MiB multipart part, streamed with no announced size.
    block = os.urandom(1024 * 1024)
    data = block * 20
    key = original_key(_sha(data))
    info = store.put(key, io.BufferedReader(io.BytesIO(data)), sha256=_sha(data))
    assert info.size == len(data)
    digest = hashlib.sha256()
    with store.open(key) as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == _sha(data)


@pytest.mark.parametrize("key", ["", "/abs", "a//b", "a/../b", "..", "a/./b", "spatie in/naam"])
def test_bad_keys_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValueError, match="invalid object key"):
        store.put(key, io.BytesIO(b"x"))


def test_announced_size_is_checked(store: ObjectStore) -> None:
    data = b"twaalf bytes"
    with pytest.raises(IntegrityError):
        store.put("originals/size/check", io.BytesIO(data), sha256=_sha(data), size=len(data) + 5)
    with pytest.raises(NotFound):
        store.stat("originals/size/check")


def test_minio_bucket_is_versioned_and_delete_purges_every_version(
    stack_settings: Settings,
) -> None:
    s3 = S3ObjectStore.from_settings(
        stack_settings.objectstore.model_copy(update={"bucket": f"test-{uuid.uuid4().hex[:12]}"})
    )
    s3.ensure_bucket()
    try:
        assert s3.versioning_enabled()
        s3.put("derived/page-1.txt", io.BytesIO(b"versie 1"))
        s3.put("derived/page-1.txt", io.BytesIO(b"versie 2"))
        assert len(s3.versions("derived/page-1.txt")) == 2
        s3.delete("derived/page-1.txt")
        assert s3.versions("derived/page-1.txt") == []
    finally:
        purge_bucket(s3)


def test_purge_guard_refuses_real_buckets(stack_settings: Settings) -> None:
    s3 = S3ObjectStore.from_settings(
        stack_settings.objectstore.model_copy(update={"bucket": "archief"})
    )
    with pytest.raises(RuntimeError, match="non-scratch bucket"):
        purge_bucket(s3)
