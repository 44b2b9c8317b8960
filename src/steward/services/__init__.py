"""Services: Steward's use cases, and the only code with side effects.

A face (CLI, API, web) opens a :class:`~steward.services.runtime.Runtime` from settings, then runs
each use case in one unit of work (``runtime.unit(actor)``): one transaction in which the change and
its audit-log entry are written together, or neither is. Services check what the actor may do,
raise ``StewardError`` subclasses for anything a user got wrong, and return plain data (dataclasses
or dicts), never ORM objects, so faces stay thin.
"""
