"""The one error a consent string can cause, and its messages.

Every problem with a consent string is a :class:`ConsentStringError`, an
:class:`~steward.errors.InvalidInput` (HTTP 422, CLI exit 2) whose message is one line naming
the problem. Messages are module constants so tests can assert them.
"""

from __future__ import annotations

from steward.errors import InvalidInput

BAD_BASE64URL = "{what}: bad base64url at character {index}"
EMPTY = "{what} is empty"
EMPTY_SEGMENT = "{what}: segment {index} is empty"
TRUNCATED = "{what} truncated: {segment} needs {needed} bits, got {got}"
UNSUPPORTED_TC_VERSION = "unsupported TC string version {version}"
UNKNOWN_TC_SEGMENT = "TC string: unknown segment type {type} in segment {index}"
DUPLICATE_TC_SEGMENT = "TC string: segment {name} appears twice"
CORE_NOT_FIRST = "TC string: the core segment must come first, found {name}"
BAD_CMP_ID = "TC string: cmpId {cmp_id} is not a CMP id (IAB assigns 2 and up)"
BAD_LETTER = "TC string: {field} has a letter code {code} outside A-Z"
BAD_RANGE = "{what}: {field} range {start}-{end} is empty (end before start)"
BAD_VENDOR_ID = "{what}: {field} has vendor id 0"
BAD_RESTRICTION = "TC string: publisher restriction for purpose {purpose} has {problem}"
NOT_GPP = "GPP string: header must start with 'DB' (type 3, version 1), got {start!r}"
GPP_SECTION_COUNT = "GPP string: header lists {listed} sections but {found} follow"
GPP_BLANK_SECTION = "GPP string: section {index} ({name}) is blank"
GPP_TOO_MANY_SEGMENTS = "GPP string: section {name} has {count} segments, at most {most} allowed"
GPP_BAD_USP = "GPP string: uspv1 section must be 4 characters like '1YNN', got {value!r}"
ENCODE_RANGE = "cannot encode {field}={value!r}: {problem}"


class ConsentStringError(InvalidInput, ValueError):
    """A consent string (TC, GPP or GPC) is malformed or cannot be encoded.

    Also a :class:`ValueError`, so plain Python callers can catch it without knowing Steward.
    """

    title = "Invalid consent string"
