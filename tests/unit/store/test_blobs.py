"""The blob store: one copy per content, shared by forks, collected with its sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.errors import StoreError
from tether.store.blobs import BlobStore

A = "11111111-1111-4111-8111-111111111111"
B = "22222222-2222-4222-8222-222222222222"


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    one = blobs.put(A, b"hello\n")
    assert blobs.put(A, b"hello\n") == one == blobs.put(B, b"hello\n")
    assert blobs.get(one) == b"hello\n"
    assert blobs.stored_bytes() == 6


def test_release_keeps_blobs_another_session_uses(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    shared = blobs.put(A, b"shared")
    own = blobs.put(A, b"only a")
    blobs.copy_refs(A, B)  # B is a fork of A
    assert blobs.release(A) == 0
    assert blobs.get(shared) == b"shared" and blobs.get(own) == b"only a"
    assert blobs.release(B) == 2
    with pytest.raises(StoreError, match="no longer stored"):
        blobs.get(shared)
    assert blobs.stored_bytes() == 0


def test_a_damaged_blob_is_refused(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    digest = blobs.put(A, b"exact")
    blobs.path_of(digest).write_bytes(b"exacT")
    with pytest.raises(StoreError, match="damaged"):
        blobs.get(digest)
    with pytest.raises(StoreError):
        blobs.path_of("../../etc/passwd")
