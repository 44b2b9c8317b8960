"""Bits in, bits out: the reader, the writer and base64url without padding.

IAB consent strings are bit strings written most significant bit first and cut into
base64url characters (``A-Z a-z 0-9 - _``, six bits each, no ``=`` padding). A TC string
pads each segment with zero bits to a multiple of 24 bits; a GPP section ("compressed"
base64url) pads to a multiple of 8 and then of 6. A string is held as one Python integer
and its length in bits, so reading a field is a shift and a mask.
"""

from __future__ import annotations

from collections.abc import Iterable

from steward.engines.consent.errors import (
    BAD_BASE64URL,
    EMPTY,
    ENCODE_RANGE,
    TRUNCATED,
    ConsentStringError,
)

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def base64url_to_bits(text: str, *, what: str) -> tuple[int, int]:
    """Decode base64url ``text`` to ``(value, length_in_bits)``.

    ``what`` names the string in messages ("TC string", "GPP string"). A character outside
    the alphabet is reported by its 1-based position.
    """
    if not text:
        raise ConsentStringError(EMPTY.format(what=what))
    value = 0
    for i, char in enumerate(text):
        digit = _INDEX.get(char)
        if digit is None:
            raise ConsentStringError(BAD_BASE64URL.format(what=what, index=i + 1))
        value = (value << 6) | digit
    return value, 6 * len(text)


def bits_to_base64url(value: int, length: int, *, compressed: bool = False) -> str:
    """Encode ``length`` bits of ``value`` as base64url without ``=`` padding.

    TC strings (``compressed=False``) pad with zero bits to a multiple of 24; GPP sections
    (``compressed=True``) to a multiple of 8, then of 6.
    """
    if compressed:
        padded = length + (-length) % 8
        padded += (-padded) % 6
    else:
        padded = length + (-length) % 24
    value <<= padded - length
    return "".join(ALPHABET[(value >> shift) & 63] for shift in range(padded - 6, -1, -6))


class BitReader:
    """Reads fields one after another from a bit string.

    Asking for more bits than remain raises :class:`ConsentStringError` with the
    :data:`~steward.engines.consent.errors.TRUNCATED` message naming ``what`` and ``segment``.
    """

    __slots__ = ("_value", "_length", "_pos", "what", "segment")

    def __init__(self, value: int, length: int, *, what: str, segment: str) -> None:
        self._value = value
        self._length = length
        self._pos = 0
        self.what = what
        self.segment = segment

    @classmethod
    def from_base64url(cls, text: str, *, what: str, segment: str) -> BitReader:
        value, length = base64url_to_bits(text, what=what)
        return cls(value, length, what=what, segment=segment)

    @property
    def position(self) -> int:
        """How many bits have been read."""
        return self._pos

    @property
    def length(self) -> int:
        return self._length

    @property
    def remaining(self) -> int:
        return self._length - self._pos

    def require(self, n: int) -> None:
        """Refuse now, as truncated, unless ``n`` more bits remain (e.g. a fixed-size part)."""
        self._need(n)

    def _need(self, n: int) -> None:
        if self._pos + n > self._length:
            raise ConsentStringError(
                TRUNCATED.format(
                    what=self.what, segment=self.segment, needed=self._pos + n, got=self._length
                )
            )

    def peek_int(self, n: int) -> int:
        """The next ``n`` bits as an unsigned integer, without moving on."""
        self._need(n)
        return (self._value >> (self._length - self._pos - n)) & ((1 << n) - 1)

    def read_int(self, n: int) -> int:
        """The next ``n`` bits as an unsigned integer."""
        value = self.peek_int(n)
        self._pos += n
        return value

    def read_bool(self) -> bool:
        return self.read_int(1) == 1

    def read_bitfield(self, n: int) -> frozenset[int]:
        """``n`` bits where bit ``i`` (1-based, from the left) set means id ``i`` is in."""
        if n == 0:
            return frozenset()
        field = self.read_int(n)
        return frozenset(n - k for k in range(n) if (field >> k) & 1)

    def read_letters(self, count: int = 2, bits: int = 6) -> list[int]:
        """``count`` letter codes of ``bits`` bits each (0 = 'A')."""
        return [self.read_int(bits) for _ in range(count)]

    def read_fibonacci(self) -> int:
        """A Fibonacci-coded positive integer: weights 1, 2, 3, 5, ... and a closing ``11``."""
        a, b = 1, 2
        value = 0
        previous = False
        while True:
            bit = self.read_bool()
            if bit and previous:
                return value
            if bit:
                value += a
            previous = bit
            a, b = b, a + b


class BitWriter:
    """Appends fields to a bit string; refuses values that do not fit their width."""

    __slots__ = ("_value", "_length")

    def __init__(self) -> None:
        self._value = 0
        self._length = 0

    @property
    def length(self) -> int:
        return self._length

    def write_int(self, value: int, n: int, *, field: str) -> None:
        if not isinstance(value, int) or value < 0 or value >= (1 << n):
            raise ConsentStringError(
                ENCODE_RANGE.format(
                    field=field, value=value, problem=f"needs an integer from 0 to {(1 << n) - 1}"
                )
            )
        self._value = (self._value << n) | value
        self._length += n

    def write_bool(self, value: bool) -> None:
        self._value = (self._value << 1) | (1 if value else 0)
        self._length += 1

    def write_bitfield(self, ids: Iterable[int], n: int, *, field: str) -> None:
        """Bit ``i`` (1-based) set for each id ``i``; every id must be within ``1..n``."""
        field_value = 0
        for i in ids:
            if not 1 <= i <= n:
                raise ConsentStringError(
                    ENCODE_RANGE.format(field=field, value=i, problem=f"ids must be 1 to {n}")
                )
            field_value |= 1 << (n - i)
        self._value = (self._value << n) | field_value
        self._length += n

    def write_fibonacci(self, value: int, *, field: str) -> None:
        """A positive integer in Fibonacci code, ending with ``11``."""
        if value < 1:
            raise ConsentStringError(
                ENCODE_RANGE.format(field=field, value=value, problem="must be positive")
            )
        fibs = [1, 2]
        while fibs[-1] <= value:
            fibs.append(fibs[-1] + fibs[-2])
        code = 0
        for i in range(len(fibs) - 1, -1, -1):
            if fibs[i] <= value:
                code |= 1 << i
                value -= fibs[i]
        width = code.bit_length()
        # bit i of `code` belongs to Fibonacci number i and is written i-th from the left
        reversed_code = int(format(code, f"0{width}b")[::-1], 2)
        self._value = (((self._value << width) | reversed_code) << 1) | 1
        self._length += width + 1

    def extend(self, other: BitWriter) -> None:
        self._value = (self._value << other._length) | other._value
        self._length += other._length

    def to_base64url(self, *, compressed: bool = False) -> str:
        return bits_to_base64url(self._value, self._length, compressed=compressed)
