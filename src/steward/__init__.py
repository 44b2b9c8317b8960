"""Steward: govern a company's use of AI in marketing.

Steward is a system of record (AI systems, risk tiers, obligations, policies, reviews, people,
incidents and a tamper-evident audit log), a set of automated controls (content guard, consent,
privacy, fairness, drift, explanations, scorecards) and three faces over them: the ``steward``
command line, a REST API and a web dashboard.

Layers (see docs/architecture.md): ``core`` holds pure domain rules, ``engines`` pure analytics,
``storage`` the database, ``services`` the use cases (the only code with side effects), and
``cli``, ``api`` and ``web`` the thin faces.

Importing the package sets one process default before any of its code loads numpy: idle
OpenBLAS workers sleep at once instead of spinning (:mod:`steward._runtime`).
"""

from steward._runtime import quiet_blas_workers

quiet_blas_workers()

__version__ = "0.1.0"
