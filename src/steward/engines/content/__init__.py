"""The content guard: checks AI-generated marketing content before it reaches people.

A :class:`Scanner` is compiled once from :class:`ContentRule` records (built-in YAML plus the
organisation's own) and runs **one pass** of a multi-pattern engine over a text — the PII
candidates of :mod:`steward.engines.pii` and every rule's patterns together — then evaluates the
rules on what matched: occurrences (a health claim, a gender-coded word), missing requirements
(no unsubscribe link in an e-mail, no bot disclosure in a chatbot's first turn) and PII spans.

Each :class:`Finding` names its rule, severity (block / review / info), citation and a suggested
fix, with character offsets into the text as given (HTML included). :func:`judge` turns findings
into a verdict — ``pass``, ``review`` or ``block`` — under a :class:`VerdictPolicy`; policy packs
will supply that policy later.

Image content credentials (C2PA) live in :mod:`steward.engines.content.credentials`.
"""

from steward.engines.content._markup import looks_like_html, visible_text
from steward.engines.content._rules import (
    CHANNELS,
    SEVERITY_RANK,
    Applies,
    Citation,
    ContentRule,
    ContentRuleFile,
    normalise_channel,
)
from steward.engines.content._scan import (
    DEFAULT_POLICY,
    ContentMeta,
    Finding,
    Scanner,
    ScanResult,
    VerdictPolicy,
    judge,
)

__all__ = [
    # rules
    "Applies", "CHANNELS", "Citation", "ContentRule", "ContentRuleFile", "SEVERITY_RANK",
    "normalise_channel",
    # scanning
    "ContentMeta", "Finding", "ScanResult", "Scanner", "looks_like_html", "visible_text",
    # verdicts
    "DEFAULT_POLICY", "VerdictPolicy", "judge",
]
