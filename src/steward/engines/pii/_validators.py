"""Validators: the second step after the multi-pattern pass keeps only candidates that check out.

Each validator takes the candidate's text and says whether it is what its pattern suggests: a card
number passes Luhn and falls in a network's issuer (IIN) range with a length that network issues;
an IBAN has its country's length and passes ISO 7064 mod 97-10; a US SSN avoids the numbers the
Social Security Administration never issues; an IP address parses; a phone number is valid for its
country (with the ``phonenumbers`` package) or is phone-shaped where the text says it is a phone.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import phonenumbers

# --- payment cards -----------------------------------------------------------------------------

# (low prefix, high prefix, lengths) — prefixes compared on the same number of leading digits.
# Networks' published issuer ranges (ISO/IEC 7812 IINs) as of 2025.
CARD_RANGES: tuple[tuple[str, str, str, frozenset[int]], ...] = (
    ("visa", "4", "4", frozenset({13, 16, 19})),
    ("mastercard", "51", "55", frozenset({16})),
    ("mastercard", "2221", "2720", frozenset({16})),
    ("amex", "34", "34", frozenset({15})),
    ("amex", "37", "37", frozenset({15})),
    ("discover", "6011", "6011", frozenset({16, 17, 18, 19})),
    ("discover", "644", "649", frozenset({16, 17, 18, 19})),
    ("discover", "65", "65", frozenset({16, 17, 18, 19})),
    ("discover", "622126", "622925", frozenset({16, 17, 18, 19})),
    ("unionpay", "62", "62", frozenset({16, 17, 18, 19})),
    ("unionpay", "81", "81", frozenset({16, 17, 18, 19})),
    ("diners", "300", "305", frozenset({14, 15, 16, 17, 18, 19})),
    ("diners", "3095", "3095", frozenset({14, 15, 16, 17, 18, 19})),
    ("diners", "36", "36", frozenset({14, 15, 16, 17, 18, 19})),
    ("diners", "38", "39", frozenset({14, 16, 17, 18, 19})),
    ("jcb", "3528", "3589", frozenset({15, 16, 17, 18, 19})),
    ("jcb", "1800", "1800", frozenset({15})),
    ("jcb", "2131", "2131", frozenset({15})),
    ("mir", "2200", "2204", frozenset({16, 17, 18, 19})),
    ("maestro", "50", "50", frozenset(range(12, 20))),
    ("maestro", "56", "69", frozenset(range(12, 20))),
    ("maestro", "0604", "0604", frozenset(range(12, 20))),
    ("rupay", "60", "60", frozenset({16})),
    ("rupay", "508", "508", frozenset({16})),
    ("rupay", "353", "353", frozenset({16})),
    ("rupay", "356", "356", frozenset({16})),
    ("troy", "9792", "9792", frozenset({16})),
    ("verve", "506099", "506198", frozenset({16, 18, 19})),
    ("uatp", "1", "1", frozenset({15})),
)


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check over a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i & 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_network(digits: str) -> str | None:
    """The network whose IIN range and lengths admit ``digits``, or None."""
    n = len(digits)
    for name, low, high, lengths in CARD_RANGES:
        if n in lengths and low <= digits[: len(low)] <= high:
            return name
    return None


def valid_card(candidate: str) -> bool:
    digits = _digits(candidate)
    if not 12 <= len(digits) <= 19 or len(set(digits)) < 2:
        return False
    return luhn_ok(digits) and card_network(digits) is not None


# --- IBAN --------------------------------------------------------------------------------------

IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}


def valid_iban(candidate: str) -> bool:
    """Country length and ISO 7064 mod 97-10 (letters as 10-35), spaces allowed between groups."""
    iban = candidate.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum():
        return False
    moved = iban[4:] + iban[:4]
    remainder = 0
    for ch in moved:
        remainder = (remainder * (100 if ch.isalpha() else 10) + int(ch, 36)) % 97
    return remainder == 1


# --- US SSN ------------------------------------------------------------------------------------

NEVER_ISSUED_SSNS = frozenset({"078051120", "219099999", "123456789", "111111111", "333333333"})


def valid_ssn(candidate: str) -> bool:
    """Area not 000, 666 or 900-999; group not 00; serial not 0000; not a known sample number."""
    digits = _digits(candidate)
    if len(digits) != 9 or digits in NEVER_ISSUED_SSNS or len(set(digits)) == 1:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


# --- IP addresses ------------------------------------------------------------------------------

def valid_ip(candidate: str) -> bool:
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return False
    if address.version == 6:
        return sum(c.isalnum() for c in candidate) >= 6
    return True


# --- phone numbers -----------------------------------------------------------------------------

DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "FR", "AU")
_ISO_DATE_START = re.compile(r"^\d{4}[-./](\d{1,2})[-./](\d{1,2})")
_DATE_LIKE = re.compile(r"^\(?(\d{1,4})[-./ ](\d{1,2})[-./ ](\d{1,4})\)?$")


def date_like(candidate: str) -> bool:
    """A calendar date written with separators (2024-05-01, 01.05.2024, 5/1/24)."""
    iso = _ISO_DATE_START.match(candidate)
    if iso and 1 <= int(iso.group(1)) <= 12 and 1 <= int(iso.group(2)) <= 31:
        return True
    match = _DATE_LIKE.match(candidate.strip())
    if not match:
        return False
    a, b, c = (int(g) for g in match.groups())
    if len(match.group(1)) == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


def phone_shaped(candidate: str) -> bool:
    """7 to 15 digits, not a date, not one repeated digit."""
    digits = _digits(candidate.split("x")[0].split("X")[0])
    if not 7 <= len(digits) <= 15 or len(set(digits)) < 3:
        return False
    return not date_like(candidate)


@lru_cache(maxsize=4096)
def valid_phone(candidate: str, regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> bool:
    """Valid for its country code (``+`` or ``00``) or, national, for one of ``regions``."""
    number = candidate.strip()
    if number.startswith("00") and not number.startswith("00-"):
        number = "+" + number[2:]
    tries = (None,) if number.startswith("+") else regions
    for region in tries:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return True
    return False


_NOT_DIGIT = re.compile(r"[^0-9]+")


def _digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)
