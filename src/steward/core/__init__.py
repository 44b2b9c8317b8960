"""Pure domain rules: roles, lifecycle, risk tiers, the audit chain.

Nothing in ``core`` touches a database, a file or the network, and nothing here imports any other
part of Steward. Everything above builds on these definitions.
"""
