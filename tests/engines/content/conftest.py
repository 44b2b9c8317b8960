"""Fixtures: a tiny PNG written by hand (no imaging library needed)."""

import struct
import zlib

import pytest


def png(width: int = 16, height: int = 16) -> bytes:
    rows = b"".join(b"\x00" + bytes(v for x in range(width)
                                    for v in ((x * 16) % 256, (y * 16) % 256, 128))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@pytest.fixture
def tiny_png() -> bytes:
    return png()
