"""The SHA-256 compression on the CPU's SHA extensions (SHA-NI), for the HMAC kernel.

Why by hand: the portable kernel of :mod:`._sha256` spends about 0.35 µs of CPU on each
compression, two per subject, and a 10M-row audience is about seven CPU-seconds of hashing,
the largest single cost of a filter. x86 CPUs since Goldmont and Zen (and Intel's server
parts since Ice Lake) compute SHA-256 rounds in hardware — what OpenSSL uses — but OpenSSL
cannot be reached per message from compiled code without a per-call cost larger than the hash
(``hashlib`` holds the GIL and allocates for each of ten million short strings). LLVM, which
numba compiles through, exposes the instructions as intrinsics (``llvm.x86.sha256rnds2``,
``sha256msg1``, ``sha256msg2``), so :func:`compress` emits the standard SHA-NI sequence —
sixteen groups of four rounds with the message schedule in vector registers — straight into
the kernel, which stays cacheable (no addresses of foreign functions baked in).

Only imported when :func:`available` says the CPU has the extensions and numba compiles for
this CPU (a ``NUMBA_CPU_NAME`` other than ``host`` may leave them out): on any other CPU the
instructions would not even compile. The tests hold it bit for bit to :mod:`hmac` and to the
portable kernel.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from steward.engines.consent._sha256 import (
    _ROUND,
    BLOCK,
    message_block,
    outer_block,
    span,
    store_words,
)

_I32 = ir.IntType(32)
_V4 = ir.VectorType(_I32, 4)


def available() -> bool:
    """Whether numba compiles for this CPU and the CPU has the SHA extensions."""
    import llvmlite.binding as llvm
    from numba.core import config

    if config.CPU_NAME not in (None, "host"):
        return False
    try:
        return bool(llvm.get_host_cpu_features().get("sha"))
    except RuntimeError:  # features unknown on this platform
        return False


def _lanes(*picks: int) -> ir.Constant:
    return ir.Constant(ir.VectorType(_I32, len(picks)), [ir.Constant(_I32, p) for p in picks])


@intrinsic
def _rounds(typingctx: Any, state: Any, w: Any) -> Any:  # pragma: no cover - compiled
    """SHA-256 compression of the block in ``w[:16]`` (big-endian words) into ``state``."""
    sig = types.void(state, w)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        words = context.make_array(signature.args[0])(context, builder, value=args[0]).data
        block = context.make_array(signature.args[1])(context, builder, value=args[1]).data
        module = builder.module
        two = ir.FunctionType(_V4, [_V4, _V4])
        rnds2 = cgutils.get_or_insert_function(module, ir.FunctionType(_V4, [_V4, _V4, _V4]),
                                               "llvm.x86.sha256rnds2")
        msg1 = cgutils.get_or_insert_function(module, two, "llvm.x86.sha256msg1")
        msg2 = cgutils.get_or_insert_function(module, two, "llvm.x86.sha256msg2")

        def vector(pointer: Any, at: int) -> Any:
            """Four words of ``pointer`` from word ``at`` on, as one vector's address."""
            return builder.bitcast(builder.gep(pointer, [ir.Constant(ir.IntType(64), at)]),
                                   _V4.as_pointer())

        abcd = builder.load(vector(words, 0), align=4)
        efgh = builder.load(vector(words, 4), align=4)
        # The instructions keep the state as (lanes high to low) ABEF and CDGH.
        abef = builder.shuffle_vector(abcd, efgh, _lanes(5, 4, 1, 0))
        cdgh = builder.shuffle_vector(abcd, efgh, _lanes(7, 6, 3, 2))
        start_abef, start_cdgh = abef, cdgh
        schedule: list[Any] = []
        for group in range(16):
            if group < 4:
                message = builder.load(vector(block, 4 * group), align=4)
            else:  # W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time
                partial = builder.call(msg1, [schedule[group - 4], schedule[group - 3]])
                partial = builder.add(partial, builder.shuffle_vector(
                    schedule[group - 2], schedule[group - 1], _lanes(1, 2, 3, 4)))
                message = builder.call(msg2, [partial, schedule[group - 1]])
            schedule.append(message)
            constants = ir.Constant(_V4, [ir.Constant(_I32, int(k))
                                          for k in _ROUND[4 * group:4 * group + 4]])
            added = builder.add(message, constants)
            cdgh = builder.call(rnds2, [cdgh, abef, added])  # two rounds: now the new ABEF
            abef = builder.call(rnds2, [abef, cdgh, builder.shuffle_vector(
                added, added, _lanes(2, 3, 0, 0))])
        abef = builder.add(abef, start_abef)
        cdgh = builder.add(cdgh, start_cdgh)
        builder.store(builder.shuffle_vector(abef, cdgh, _lanes(3, 2, 7, 6)),
                      vector(words, 0), align=4)
        builder.store(builder.shuffle_vector(abef, cdgh, _lanes(1, 0, 5, 4)),
                      vector(words, 4), align=4)
        return context.get_dummy_value()

    return sig, codegen


@numba.njit(nogil=True, cache=True)
def compress(state: Any, w: Any) -> None:  # pragma: no cover - compiled
    """One SHA-256 compression of ``w[:16]`` into ``state``, on the SHA extensions."""
    _rounds(state, w)


@numba.njit(nogil=True, cache=True, boundscheck=False)
def hmac_rows(data: Any, offsets: Any, first: int, last: int, inner: Any, outer: Any,
              words: Any, fold: bool, pending: Any) -> None:  # pragma: no cover - compiled
    """:func:`._sha256.hmac_rows` with the compression on the SHA extensions.

    The loop is repeated rather than shared through a function argument: numba does not keep a
    kernel that takes a compiled function as an argument in its on-disk cache (it would be
    compiled again in every process, about a second)."""
    w = np.zeros(16, np.uint32)
    state = np.zeros(8, np.uint32)
    for i in range(first, last):
        start, length = span(data, offsets, i, fold)
        if length < 0:
            pending[i] = 1
            continue
        state[:] = inner
        for n in range((length + 9 + BLOCK - 1) // BLOCK):
            message_block(data, start, length, n, w, fold)
            _rounds(state, w)
        outer_block(state, w)
        state[:] = outer
        _rounds(state, w)
        store_words(state, words, i)
