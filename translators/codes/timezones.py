"""Time zones: X12 Time Code (623), EDIFACT DTM zone suffixes, and the zone to assume for a
local time from where the event happened (US/Canadian region, single-zone country)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _hours(h: int) -> dt.tzinfo:
    return dt.UTC if h == 0 else dt.timezone(dt.timedelta(hours=h))


# X12 623: fixed-offset codes. The "...T" codes (ET, CT, ...) follow daylight saving and are
# resolved through the IANA zones below. [verify] the full list against the partner's guide.
X12_FIXED: Mapping[str, dt.tzinfo] = MappingProxyType(
    {
        "UT": dt.UTC,
        "GM": dt.UTC,
        "ES": _hours(-5),
        "ED": _hours(-4),
        "CS": _hours(-6),
        "CD": _hours(-5),
        "MS": _hours(-7),
        "MD": _hours(-6),
        "PS": _hours(-8),
        "PD": _hours(-7),
        "AS": _hours(-9),
        "AD": _hours(-8),
        "HS": _hours(-10),
        "HD": _hours(-9),
        "TS": _hours(-4),
        "TD": _hours(-3),
        "NS": dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
        "ND": dt.timezone(dt.timedelta(hours=-2, minutes=-30)),
        # 01..12 = UTC+1..+12, 13..24 = UTC-1..-12
        **{f"{h:02d}": _hours(h) for h in range(1, 13)},
        **{f"{h + 12:02d}": _hours(-h) for h in range(1, 13)},
    }
)
X12_ZONE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "ET": "America/New_York",
        "CT": "America/Chicago",
        "MT": "America/Denver",
        "PT": "America/Los_Angeles",
        "AT": "America/Anchorage",
        "HT": "Pacific/Honolulu",
        "TT": "America/Halifax",
        "NT": "America/St_Johns",
    }
)
# offset in minutes -> the X12 code we write (standard-time names preferred; the reader only
# needs the offset back)
_X12_CODE_FOR_OFFSET: Mapping[int, str] = MappingProxyType(
    {
        0: "UT",
        -300: "ES",
        -240: "ED",
        -360: "CS",
        -420: "MS",
        -480: "PS",
        -540: "AS",
        -600: "HS",
        -180: "TD",
        -210: "NS",
        -150: "ND",
        # the numeric codes (01..24) are read but not written: guides' 623 lists lack them
    }
)


def zone(name: str) -> dt.tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def x12_zone(code: str) -> dt.tzinfo | None:
    """The zone an X12 time code names; None for `LT` (local), blank or unknown codes."""
    code = code.strip().upper()
    if code in X12_FIXED:
        return X12_FIXED[code]
    if code in X12_ZONE_NAMES:
        return zone(X12_ZONE_NAMES[code])
    return None


def x12_code_for(moment: dt.datetime) -> tuple[dt.datetime, str]:
    """(time to write, X12 time code) for an aware datetime: its own offset when a code
    names it, else the same instant in UTC."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    code = _X12_CODE_FOR_OFFSET.get(minutes)
    if code is None:
        return moment.astimezone(dt.UTC), "UT"
    return moment, code


# EDIFACT 2379 formats 303/304 end in a zone (ZZZ): names seen in partner data
EDIFACT_ZONE_NAMES: Mapping[str, dt.tzinfo] = MappingProxyType(
    {
        "UTC": dt.UTC,
        "GMT": dt.UTC,
        "UT": dt.UTC,
        "Z": dt.UTC,
        "CET": _hours(1),
        "CES": _hours(2),
        "CEST": _hours(2),
        "EET": _hours(2),
        "EST": _hours(-5),
        "EDT": _hours(-4),
        "CST": _hours(-6),
        "CDT": _hours(-5),
        "MST": _hours(-7),
        "MDT": _hours(-6),
        "PST": _hours(-8),
        "PDT": _hours(-7),
    }
)


def edifact_zone(text: str) -> dt.tzinfo | None:
    """A DTM zone suffix: a name from the table, or a signed offset `+01`, `-0500`, `+01:00`."""
    text = text.strip().upper()
    if text in EDIFACT_ZONE_NAMES:
        return EDIFACT_ZONE_NAMES[text]
    if len(text) >= 3 and text[0] in "+-":
        digits = text[1:].replace(":", "")
        if digits.isdecimal() and len(digits) in (2, 4):
            hours, minutes = int(digits[:2]), int(digits[2:] or 0)
            if hours <= 14 and minutes < 60:
                sign = -1 if text[0] == "-" else 1
                delta = dt.timedelta(hours=hours, minutes=minutes) * sign
                return dt.UTC if not delta else dt.timezone(delta)
    return None


# Where a local time happened tells its zone: US states and Canadian provinces by the zone
# most of their population lives in, and countries that have one zone.
REGION_ZONES: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(
            [
                "CT",
                "DE",
                "DC",
                "FL",
                "GA",
                "IN",
                "KY",
                "ME",
                "MD",
                "MA",
                "MI",
                "NH",
                "NJ",
                "NY",
                "NC",
                "OH",
                "PA",
                "RI",
                "SC",
                "VT",
                "VA",
                "WV",
                "ON",
                "QC",
            ],
            "America/New_York",
        ),
        **dict.fromkeys(
            [
                "AL",
                "AR",
                "IL",
                "IA",
                "KS",
                "LA",
                "MN",
                "MS",
                "MO",
                "NE",
                "ND",
                "OK",
                "SD",
                "TN",
                "TX",
                "WI",
                "MB",
                "SK",
            ],
            "America/Chicago",
        ),
        **dict.fromkeys(["CO", "MT", "NM", "UT", "WY", "ID", "AB", "NT"], "America/Denver"),
        "AZ": "America/Phoenix",
        **dict.fromkeys(["CA", "NV", "OR", "WA", "BC", "YT"], "America/Los_Angeles"),
        "AK": "America/Anchorage",
        "HI": "Pacific/Honolulu",
        **dict.fromkeys(["NB", "NS", "PE"], "America/Halifax"),
        "NL": "America/St_Johns",
        "PR": "America/Puerto_Rico",
    }
)
COUNTRY_ZONES: Mapping[str, str] = MappingProxyType(
    {
        "DE": "Europe/Berlin",
        "NL": "Europe/Amsterdam",
        "BE": "Europe/Brussels",
        "FR": "Europe/Paris",
        "IT": "Europe/Rome",
        "AT": "Europe/Vienna",
        "CH": "Europe/Zurich",
        "PL": "Europe/Warsaw",
        "CZ": "Europe/Prague",
        "DK": "Europe/Copenhagen",
        "SE": "Europe/Stockholm",
        "NO": "Europe/Oslo",
        "FI": "Europe/Helsinki",
        "GB": "Europe/London",
        "IE": "Europe/Dublin",
        "LV": "Europe/Riga",
        "LT": "Europe/Vilnius",
        "EE": "Europe/Tallinn",
        "HU": "Europe/Budapest",
        "SK": "Europe/Bratislava",
        "SI": "Europe/Ljubljana",
        "HR": "Europe/Zagreb",
        "RO": "Europe/Bucharest",
        "BG": "Europe/Sofia",
        "GR": "Europe/Athens",
        "HK": "Asia/Hong_Kong",
        "SG": "Asia/Singapore",
        "JP": "Asia/Tokyo",
        "KR": "Asia/Seoul",
        "CN": "Asia/Shanghai",
        "IN": "Asia/Kolkata",
        "CO": "America/Bogota",
    }
)
