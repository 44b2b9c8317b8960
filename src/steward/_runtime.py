"""Process defaults that Steward sets when it is imported, before any of its code loads numpy.

OpenBLAS (which numpy's wheels bundle) starts one worker thread per core when numpy is
imported, and each worker busy-waits for work for 2^28 processor cycles (about 0.1 s) before it
sleeps — after the import and again after every BLAS call. Steward's own numpy work (counts,
intervals, tests) calls no BLAS, so those spins only take cores from the work that runs beside
them: on this project's 2-core machine, importing numpy cost 0.19 s of CPU instead of 0.09 s,
and a 10M-row fairness audit, whose DuckDB pass runs on both cores while numpy loads, took
~0.06 s more CPU and ~0.02 s more wall time (numpy issue 29193 shows 1.3 s of CPU for the
import on 17 threads).

``OPENBLAS_THREAD_TIMEOUT=4`` (its minimum: 2^4 cycles) makes idle workers sleep at once. It
changes neither the number of BLAS threads nor any result; a BLAS call after a pause wakes its
workers (microseconds) instead of finding them spinning. It is only a default: nothing is set
when the variable is already given, or when numpy was imported before Steward (OpenBLAS reads
it once, when it loads).
"""

from __future__ import annotations

import os
import sys

BLAS_TIMEOUT_VARIABLE = "OPENBLAS_THREAD_TIMEOUT"


def quiet_blas_workers() -> bool:
    """Default idle OpenBLAS workers to sleep at once; whether the default was set."""
    if "numpy" in sys.modules or BLAS_TIMEOUT_VARIABLE in os.environ:
        return False
    os.environ[BLAS_TIMEOUT_VARIABLE] = "4"
    return True
