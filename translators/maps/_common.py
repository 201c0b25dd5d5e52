"""Helpers every map shares: numbers with implied decimals, dates and times with their zones,
reference maps, and the warnings a map attaches to the record it builds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from translators.canonical.models import References, ValidationWarning
from translators.codes import timezones
from translators.maps.context import MapContext


class Findings:
    """The warnings collected while one transaction is mapped."""

    def __init__(self) -> None:
        self.items: list[ValidationWarning] = []

    def add(self, code: str, message: str, path: str | None = None) -> None:
        self.items.append(ValidationWarning(code=code, message=message, path=path))


def clean(text: str) -> str | None:
    """An element value with padding removed; None when nothing is left."""
    text = text.strip()
    return text or None


def decimal(text: str) -> Decimal | None:
    """A number as written (a single decimal comma is read as a point); None if not one."""
    text = text.strip()
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def implied(text: str, places: int) -> Decimal | None:
    """An X12 Nn value: `65940` with N2 is 659.40; a sign is allowed, a point is not (but is
    read as written when a partner sends one anyway)."""
    value = decimal(text)
    if value is None:
        return None
    if "." in text:
        return value
    return value.scaleb(-places)


def n2(amount: Decimal) -> str:
    """Write a money amount as X12 N2 (implied two decimals)."""
    cents = (amount * 100).quantize(Decimal(1))
    return str(int(cents))


def real(value: Decimal) -> str:
    """Write an X12 R / EDIFACT n value without exponent or needless trailing zeros."""
    text = format(value.normalize(), "f")
    return text


def add_reference(refs: References, kind: str, value: str | None) -> None:
    if value:
        values = refs.setdefault(kind, [])
        if value not in values:
            values.append(value)


def parse_date(text: str, findings: Findings, path: str) -> dt.date | None:
    """CCYYMMDD, or YYMMDD (tolerated, with a warning); None and a warning when invalid."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 8 and text.isdecimal():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if len(text) == 6 and text.isdecimal():
            year = int(text[:2])
            findings.add("short_date", f"6-digit date {text!r} read as YYMMDD", path)
            return dt.date(2000 + year if year < 70 else 1900 + year, int(text[2:4]), int(text[4:]))
    except ValueError:
        pass
    findings.add("invalid_date", f"not a date: {text!r}", path)
    return None


def parse_clock(text: str, findings: Findings, path: str) -> dt.time | None:
    """HHMM, HHMMSS, HHMMSSD, HHMMSSDD."""
    text = text.strip()
    if not text:
        return None
    if text.isdecimal() and 4 <= len(text) <= 8:
        try:
            second = int(text[4:6]) if len(text) >= 6 else 0
            return dt.time(int(text[:2]), int(text[2:4]), second)
        except ValueError:
            pass
    findings.add("invalid_time", f"not a time: {text!r}", path)
    return None


def local_zone(
    context: MapContext, region: str | None = None, country: str | None = None
) -> tuple[dt.tzinfo, bool]:
    """The zone for a local time: the partner's, else the region's or country's, else UTC.
    The flag says the zone was not stated by the message itself."""
    if context.local_timezone:
        found = timezones.zone(context.local_timezone)
        if found is not None:
            return found, True
    country = (country or "").upper()[:2]
    if region and country in ("", "US", "CA", "PR"):
        name = timezones.REGION_ZONES.get(region.upper())
        if name and (found := timezones.zone(name)) is not None:
            return found, True
    if country in timezones.COUNTRY_ZONES:
        found = timezones.zone(timezones.COUNTRY_ZONES[country])
        if found is not None:
            return found, True
    return dt.UTC, True


def x12_datetime(
    date_text: str,
    time_text: str,
    code: str,
    context: MapContext,
    findings: Findings,
    path: str,
    region: str | None = None,
    country: str | None = None,
) -> tuple[dt.datetime | None, bool]:
    """An aware datetime from X12 date (373), time (337) and time code (623). A missing or
    `LT` code means local to the event (zone assumed, flagged)."""
    day = parse_date(date_text, findings, path)
    if day is None:
        return None, False
    clock = parse_clock(time_text, findings, path) or dt.time(0, 0)
    zone = timezones.x12_zone(code) if code.strip() else None
    assumed = False
    if zone is None:
        if code.strip() and code.strip().upper() != "LT":
            findings.add("unknown_time_code", f"time code {code!r} not known: local assumed", path)
        zone, assumed = local_zone(context, region, country)
    return dt.datetime.combine(day, clock).replace(tzinfo=zone), assumed


def x12_date_time_code(moment: dt.datetime, local: bool = False) -> tuple[str, str, str]:
    """(CCYYMMDD, HHMM or HHMMSS, time code) for an aware datetime; `local` writes the wall
    time with `LT`, for a time the partner sent as local (its zone was our assumption)."""
    if local:
        code = "LT"
    else:
        moment, code = timezones.x12_code_for(moment)
    clock = moment.strftime("%H%M%S") if moment.second else moment.strftime("%H%M")
    return moment.strftime("%Y%m%d"), clock, code


# EDIFACT 2379 formats we read: code -> (length of the date/time part, strptime format)
_EDIFACT_FORMATS: dict[str, tuple[int, str]] = {
    "102": (8, "%Y%m%d"),
    "203": (12, "%Y%m%d%H%M"),
    "204": (14, "%Y%m%d%H%M%S"),
    "101": (6, "%y%m%d"),
    "201": (10, "%y%m%d%H%M"),
    "202": (12, "%y%m%d%H%M%S"),
    "303": (12, "%Y%m%d%H%M"),
    "304": (14, "%Y%m%d%H%M%S"),
    "205": (12, "%Y%m%d%H%M"),
}


def edifact_datetime(
    text: str,
    fmt: str,
    context: MapContext,
    findings: Findings,
    path: str,
    region: str | None = None,
    country: str | None = None,
) -> tuple[dt.datetime | None, bool]:
    """An aware datetime from a DTM value and its format code (2379). 303/304 carry a zone
    name or offset after the time, 205 a signed HHMM offset; the others are local."""
    text = text.strip()
    fmt = fmt.strip() or ("102" if len(text) == 8 else "203" if len(text) == 12 else "")
    if not text:
        return None, False
    known = _EDIFACT_FORMATS.get(fmt)
    if known is None:
        findings.add("unknown_dtm_format", f"DTM format {fmt!r} not supported", path)
        return None, False
    length, pattern = known
    body, rest = text[:length], text[length:]
    if fmt in ("102", "203", "204") and len(text) != length:
        # a date in the wrong width for its format code: read what the digits say
        alternative = {8: "102", 12: "203", 14: "204"}.get(len(text))
        if alternative is not None:
            findings.add(
                "dtm_format_mismatch",
                f"{text!r} does not fit format {fmt}; read as {alternative}",
                path,
            )
            length, pattern = _EDIFACT_FORMATS[alternative]
            body, rest = text, ""
    try:
        naive = dt.datetime.strptime(body, pattern)
    except ValueError:
        findings.add("invalid_date", f"not a date/time for format {fmt}: {text!r}", path)
        return None, False
    zone: dt.tzinfo | None = None
    if fmt in ("303", "304", "205") and rest:
        zone = timezones.edifact_zone(rest)
        if zone is None:
            findings.add("unknown_time_zone", f"time zone {rest!r} not known: local assumed", path)
    elif rest:
        findings.add("invalid_date", f"extra characters after the date/time: {text!r}", path)
    assumed = False
    if zone is None:
        zone, assumed = local_zone(context, region, country)
    return naive.replace(tzinfo=zone), assumed


def edifact_dtm_value(moment: dt.datetime, local: bool = False) -> tuple[str, str]:
    """(value, format code) for an aware datetime: 303/304 with `UTC` when the offset is
    zero, 205 with a signed HHMM offset otherwise (seconds force UTC and 304); `local`
    writes the wall time as 203/204, for a time the partner sent as local."""
    if local:
        if moment.second:
            return moment.strftime("%Y%m%d%H%M%S"), "204"
        return moment.strftime("%Y%m%d%H%M"), "203"
    offset = moment.utcoffset() or dt.timedelta(0)
    if moment.second and offset:
        moment, offset = moment.astimezone(dt.UTC), dt.timedelta(0)
    if not offset:
        if moment.second:
            return moment.strftime("%Y%m%d%H%M%S") + "UTC", "304"
        return moment.strftime("%Y%m%d%H%M") + "UTC", "303"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return moment.strftime("%Y%m%d%H%M") + f"{sign}{minutes // 60:02d}{minutes % 60:02d}", "205"


def wrap(text: str, width: int) -> list[str]:
    """Split text into pieces of at most `width`, at spaces where it can (the pieces joined
    with single spaces give the text back when it has no double spaces)."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > width:
        cut = rest.rfind(" ", 1, width + 1)
        if cut <= 0:
            pieces.append(rest[:width])
            rest = rest[width:]
        else:
            pieces.append(rest[:cut])
            rest = rest[cut + 1 :]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def require(value: str | None, fallback: str | None, what: str) -> str:
    """A mandatory value for an outbound transaction, or `MapError` saying what is missing."""
    from translators.maps.context import MapError

    if value:
        return value
    if fallback:
        return fallback
    raise MapError(f"cannot render: {what} is missing")


def currency(text: str | None, default: str, findings: Findings, path: str) -> str:
    """An ISO 4217 code as sent (upper-cased); the default, with a warning, when it is not
    three letters."""
    code = (text or "").strip().upper()
    if not code:
        return default
    if len(code) == 3 and code.isascii() and code.isalpha():
        return code
    findings.add("invalid_currency", f"{text!r} is not a currency code: {default} assumed", path)
    return default
