"""Rules as data: the YAML that encodes the law and the organisation's policy.

Steward keeps legal and policy judgements out of Python. Each rule is a small YAML record with an
``id``, a ``condition`` written in CEL (the Common Expression Language, evaluated by
``cel-python``, never by Python ``eval``), a ``result``, a ``citation`` of its source
(instrument, article, official URL) and the date it applies from. Pure functions in
:mod:`steward.core` evaluate them; this package only finds and reads the files.

- ``risk/*.yaml``: the built-in risk rules (EU AI Act, GDPR and UK GDPR, CCPA/CPRA and the CPPA
  regulations, the Colorado Privacy Act, the FTC rules and California's bot law), read by
  :func:`steward.rules.loader.load_risk_rules` together with any YAML of the organisation's own.

An organisation adds a rule by giving it a new ``id`` and changes one by reusing the built-in
``id`` (the later file wins); a built-in rule is switched off with ``enabled: false``. Installed
packages can contribute rule files the same way the built-ins do, through the
``steward.risk_rules`` entry point group (see :mod:`steward.rules.loader`).
"""
