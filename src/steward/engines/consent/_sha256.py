"""HMAC-SHA256 of many short strings at once: a SHA-256 compression compiled by numba.

An HMAC is ``sha256((K ^ opad) || sha256((K ^ ipad) || message))``. The two key blocks are the
same for every message, so their compressions (the *midstates*) are computed once; each
message then costs one compression per 64 bytes of message and padding (one for an e-mail
address) plus one for the outer hash, instead of the four that the SQL spelling needs. The
kernel reads an Arrow string column's buffers in place (trimming and lower-casing ASCII as it
reads, when asked), writes each key as four 64-bit words, and releases the GIL, so threads hash
parts of the column at once. :mod:`._sha256_ni` runs the same kernel with the compression in
hardware; this portable compression serves CPUs without SHA extensions.

Imported only when an audience is large enough to repay numba's start-up (under a second:
importing it and loading the kernel from its on-disk cache).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

_ROUND = np.array([
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4,
    0xAB1C5ED5, 0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE,
    0x9BDC06A7, 0xC19BF174, 0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F,
    0x4A7484AA, 0x5CB0A9DC, 0x76F988DA, 0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7,
    0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967, 0x27B70A85, 0x2E1B2138, 0x4D2C6DFC,
    0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85, 0xA2BFE8A1, 0xA81A664B,
    0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070, 0x19A4C116,
    0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7,
    0xC67178F2], dtype=np.uint32)
_INITIAL = np.array([0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C,
                     0x1F83D9AB, 0x5BE0CD19], dtype=np.uint32)
_SPACE = np.zeros(256, dtype=np.bool_)
_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True  # what str.strip() strips, in ASCII
BLOCK = 64


@numba.njit(inline="always")
def _rotr(x: Any, n: Any) -> Any:
    return (x >> n) | (x << (np.uint32(32) - n))


@numba.njit(nogil=True, cache=True, boundscheck=False)
def compress(state: Any, w: Any) -> None:  # pragma: no cover - compiled
    """One SHA-256 compression of the block whose 16 big-endian words are ``w[:16]`` into
    ``state`` (8 words); ``w`` has room for the 64-word schedule."""
    for t in range(16, 64):
        x = w[t - 15]
        y = w[t - 2]
        s0 = _rotr(x, np.uint32(7)) ^ _rotr(x, np.uint32(18)) ^ (x >> np.uint32(3))
        s1 = _rotr(y, np.uint32(17)) ^ _rotr(y, np.uint32(19)) ^ (y >> np.uint32(10))
        w[t] = np.uint32(w[t - 16] + s0 + w[t - 7] + s1)
    a, b, c, d = state[0], state[1], state[2], state[3]
    e, f, g, h = state[4], state[5], state[6], state[7]
    for t in range(64):
        big1 = _rotr(e, np.uint32(6)) ^ _rotr(e, np.uint32(11)) ^ _rotr(e, np.uint32(25))
        choose = (e & f) ^ (~e & g)
        t1 = np.uint32(h + big1 + choose + _ROUND[t] + w[t])
        big0 = _rotr(a, np.uint32(2)) ^ _rotr(a, np.uint32(13)) ^ _rotr(a, np.uint32(22))
        majority = (a & b) ^ (a & c) ^ (b & c)
        h, g, f, e = g, f, e, np.uint32(d + t1)
        d, c, b, a = c, b, a, np.uint32(t1 + big0 + majority)
    state[0] += a
    state[1] += b
    state[2] += c
    state[3] += d
    state[4] += e
    state[5] += f
    state[6] += g
    state[7] += h


@numba.njit(inline="always")
def span(data: Any, offsets: Any, i: int, fold: bool) -> tuple[int, int]:
    """Where string ``i``'s bytes start and how many to hash. With ``fold`` (normalise as
    :func:`str.strip` then :func:`str.lower` do) ASCII whitespace at either end is left out
    (the bytes are lower-cased as they are read, :func:`message_block`), and a string with any
    non-ASCII byte gets length -1: it is left to Python, whose Unicode rules it needs."""
    start = offsets[i]
    end = offsets[i + 1]
    if fold:
        for j in range(start, end):
            if data[j] >= 0x80:
                return start, -1
        while start < end and _SPACE[data[start]]:
            start += 1
        while end > start and _SPACE[data[end - 1]]:
            end -= 1
    return start, end - start


@numba.njit(inline="always")
def message_block(data: Any, start: int, length: int, n: int, w: Any, fold: bool) -> None:
    """Block ``n`` of the inner hash of the message ``data[start:start + length]`` (ASCII
    capitals lower-cased with ``fold``), which follows the 64-byte key block: the message
    bytes, 0x80, zeros and (in the last block) the length in bits, as 16 big-endian words in
    ``w[:16]``."""
    blocks = (length + 9 + BLOCK - 1) // BLOCK  # message, 0x80 and the 8-byte length
    bits = (BLOCK + length) * 8
    left = length - n * BLOCK
    for t in range(16):
        word = np.uint32(0)
        for j in range(4):
            at = 4 * t + j
            byte = np.uint32(0)
            if at < left:
                byte = np.uint32(data[start + n * BLOCK + at])
                if fold and 65 <= byte <= 90:
                    byte += np.uint32(32)
            elif at == left:
                byte = np.uint32(0x80)
            elif n == blocks - 1 and at >= BLOCK - 8:
                byte = np.uint32((bits >> (8 * (BLOCK - 1 - at))) & 0xFF)
            word = (word << np.uint32(8)) | byte
        w[t] = word


@numba.njit(inline="always")
def outer_block(state: Any, w: Any) -> None:
    """The outer hash's only block: the 32-byte inner digest, 0x80, zeros, length 96 bytes."""
    for j in range(8):
        w[j] = state[j]
    w[8] = np.uint32(0x80000000)
    for j in range(9, 15):
        w[j] = np.uint32(0)
    w[15] = np.uint32((BLOCK + 32) * 8)


@numba.njit(inline="always")
def store_words(state: Any, words: Any, i: int) -> None:
    """The digest ``state`` (8 big-endian 32-bit words) as four 64-bit words in column ``i`` of
    ``words`` (shape ``(4, rows)``: each word a contiguous array, as Arrow takes it)."""
    for j in range(4):
        words[j, i] = (np.uint64(state[2 * j]) << np.uint64(32)) | np.uint64(state[2 * j + 1])


@numba.njit(nogil=True, cache=True, boundscheck=False)
def hmac_rows(data: Any, offsets: Any, first: int, last: int, inner: Any, outer: Any,
              words: Any, fold: bool, pending: Any) -> None:  # pragma: no cover - compiled
    """HMAC of strings ``first`` to ``last - 1`` (bytes ``data[offsets[i]:offsets[i+1]]``,
    normalised as they are read with ``fold``) into column ``i`` of ``words``
    (:func:`store_words`), from the key's inner and outer midstates; ``pending[i]`` is set
    for strings left to Python (:func:`span`)."""
    w = np.zeros(64, np.uint32)
    state = np.zeros(8, np.uint32)
    for i in range(first, last):
        start, length = span(data, offsets, i, fold)
        if length < 0:
            pending[i] = 1
            continue
        state[:] = inner
        for n in range((length + 9 + BLOCK - 1) // BLOCK):
            message_block(data, start, length, n, w, fold)
            compress(state, w)
        outer_block(state, w)
        state[:] = outer
        compress(state, w)
        store_words(state, words, i)


def _compress_python(state: list[int], block: bytes) -> list[int]:
    """One compression in plain Python (for the two key blocks only: calling the compiled
    :func:`compress` would first load it, about half a second, for two blocks)."""
    mask = 0xFFFFFFFF

    def rotr(x: int, n: int) -> int:
        return ((x >> n) | (x << (32 - n))) & mask

    w = [int.from_bytes(block[4 * t:4 * t + 4], "big") for t in range(16)]
    for t in range(16, 64):
        s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
        s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & mask)
    a, b, c, d, e, f, g, h = state
    for t in range(64):
        t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g))
              + int(_ROUND[t]) + w[t]) & mask
        t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & mask
        a, b, c, d, e, f, g, h = (t1 + t2) & mask, a, b, c, (d + t1) & mask, e, f, g
    return [(x + y) & mask for x, y in zip(state, (a, b, c, d, e, f, g, h), strict=True)]


def midstates(key: bytes) -> tuple[Any, Any]:
    """The SHA-256 states after the key's inner and outer pad blocks."""
    import hashlib

    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(BLOCK, b"\0")
    initial = [int(x) for x in _INITIAL]
    inner, outer = (np.array(_compress_python(initial, bytes(b ^ pad for b in padded)),
                             dtype=np.uint32) for pad in (0x36, 0x5C))
    return inner, outer
