"""The one digest of a fact file's content, shared by the parse cache and the answer cache.

Both caches must agree on it byte for byte: the answer cache stores the digest of
the content a base was built from, as the parse cache reports it, and compares it
with the digest of the file as it is on every hit. Standard library only, and
nothing heavier than ``_blake2`` (``hashlib`` would load OpenSSL: milliseconds on
every run).
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b

DIGEST_SIZE = 32
"""Bytes of a digest (blake2b-256)."""


def content_digest(data: bytes | memoryview) -> bytes:
    """The digest of a fact file's content."""
    return blake2b(data, digest_size=DIGEST_SIZE).digest()


CHUNK_BYTES = 1 << 20
"""Bytes read at a time by :func:`descriptor_digest`: memory stays flat whatever the file's size."""


def descriptor_digest(descriptor: int) -> tuple[int, bytes]:
    """The size and :func:`content_digest` of what is left to read from an open file.

    Raises OSError as ``os.read`` does.
    """
    import os

    digest = blake2b(digest_size=DIGEST_SIZE)
    size = 0
    while True:
        chunk = os.read(descriptor, CHUNK_BYTES)
        if not chunk:
            return size, digest.digest()
        digest.update(chunk)
        size += len(chunk)
