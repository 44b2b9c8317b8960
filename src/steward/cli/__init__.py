"""The ``steward`` command line: typer commands, thin over the services.

Every read command takes ``--format table|json``. Errors print one line to standard error and exit
non-zero (2 for bad input and other Steward errors); no traceback reaches the user.
"""
