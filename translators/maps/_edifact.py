"""EDIFACT pieces several maps share: NAD/CTA/COM parties, RFF references, DTM times, MEA
measures, and the UNH..UNT frame of an outbound message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from translators.canonical.models import (
    Address,
    Contact,
    Party,
    Quantity,
    References,
    Volume,
    Weight,
)
from translators.codes import qualifiers as q
from translators.core.segment import Segment, Value
from translators.maps._common import (
    Findings,
    add_reference,
    clean,
    decimal,
    edifact_datetime,
    edifact_dtm_value,
    real,
    wrap,
)
from translators.maps.context import MapContext


def comp(*components: str | None) -> Value:
    """A composite with trailing empty components dropped (a lone component stays a str)."""
    values = ["" if c is None else c for c in components]
    while values and values[-1] == "":
        values.pop()
    if len(values) <= 1:
        return values[0] if values else ""
    return tuple(values)


def seg(tag: str, *elements: Value | None) -> Segment:
    values: list[Value] = ["" if e is None else e for e in elements]
    while values and values[-1] in ("", ()):
        values.pop()
    return Segment(tag, values)


def message_identifier(message_type: str, version: str) -> Value:
    """S009 for a version such as "D96A" (directory D, release 96A)."""
    version = version.strip().upper() or "D96A"
    if version[0] == "D" and len(version) > 1:
        return (message_type, "D", version[1:], "UN")
    return (message_type, version, "", "UN")


def frame(
    message_type: str, version: str, body: list[Segment], reference: str = "1"
) -> list[Segment]:
    """UNH + body + UNT with the segment count (UNH and UNT included)."""
    return [
        Segment("UNH", [reference, message_identifier(message_type, version)]),
        *body,
        Segment("UNT", [str(len(body) + 2), reference]),
    ]


def body(segments: Sequence[Segment]) -> list[Segment]:
    start = 1 if segments and segments[0].tag == "UNH" else 0
    end = len(segments) - 1 if segments and segments[-1].tag == "UNT" else len(segments)
    # empty segments ('' in a file) carry nothing
    return [s for s in segments[start:end] if s.tag]


def read_reference(rff: Segment, refs: References, context: MapContext) -> None:
    qualifier, value = clean(rff.get(1, 1)), clean(rff.get(1, 2))
    if qualifier and value:
        kind = q.canonical_name(
            qualifier, q.EDIFACT_REFERENCE, "edifact", context.reference_qualifiers or None
        )
        add_reference(refs, kind, value)


def write_references(refs: References, context: MapContext) -> list[Segment]:
    out: list[Segment] = []
    for kind, values in refs.items():
        code = q.code_for(
            kind, q.EDIFACT_REFERENCE_CODE, "edifact", context.reference_qualifiers or None
        )
        if code is None:
            continue  # a qualifier only X12 has
        out.extend(seg("RFF", comp(code, value)) for value in values)
    return out


def read_party(
    segments: Sequence[Segment],
    index: int,
    context: MapContext,
    locations: list[Segment] | None = None,
) -> tuple[Party, int]:
    """NAD with its CTA/COM contacts; returns the party and the index after them. LOC
    segments between the NAD and its contacts go to `locations` when it is given."""
    nad = segments[index]
    role = q.canonical_name(
        nad.get(1).strip(), q.EDIFACT_PARTY, "edifact", context.party_roles or None
    )
    agency = clean(nad.get(2, 3))
    party = Party(
        role=role,
        id=clean(nad.get(2, 1)),
        id_scheme=q.canonical_name(agency, q.EDIFACT_ID_SCHEME, "edifact") if agency else None,
    )
    names = [v for v in _components(nad.value(4)) if v]
    if not names:  # C058 name and address as free text, used when C080 is absent
        names = [v for v in _components(nad.value(3)) if v]
    party.name = " ".join(names) or None
    street = [v for v in _components(nad.value(5)) if v]
    address = Address(
        lines=street,
        city=clean(nad.get(6)),
        region=clean(nad.get(7, 1)),
        postal_code=clean(nad.get(8)),
        country=clean(nad.get(9)),
    )
    if any((street, address.city, address.region, address.postal_code, address.country)):
        party.address = address
    index += 1
    contacts: list[Contact] = []
    while index < len(segments) and segments[index].tag in ("CTA", "COM", "LOC"):
        s = segments[index]
        if s.tag == "LOC":
            if locations is None or contacts:
                break
            locations.append(s)
        elif s.tag == "CTA":
            contacts.append(Contact(function=clean(s.get(1)), name=clean(s.get(2, 2))))
        else:
            if not contacts:
                contacts.append(Contact())
            number, channel = clean(s.get(1, 1)), s.get(1, 2).strip()
            if channel == "EM":
                contacts[-1].email = number
            elif number and contacts[-1].phone is None:
                contacts[-1].phone = number
        index += 1
    party.contacts = contacts
    return party, index


def _components(value: Value) -> list[str]:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, tuple):
        return [v.strip() for v in value]
    return [value.strip()]


def write_party(
    party: Party,
    context: MapContext,
    role_code: str | None = None,
    after_nad: Sequence[Segment] = (),
) -> list[Segment]:
    """NAD (name wrapped over C080's five 35-character components), then `after_nad`
    (e.g. a LOC, which the segment group places before the contacts), then CTA/COM."""
    code = role_code or q.code_for(
        party.role, q.EDIFACT_PARTY_CODE, "edifact", context.party_roles or None
    )
    if code is None or len(code) > 3:
        return []  # 3035 is an..3: a longer partner qualifier cannot be written
    agency = (
        q.code_for(party.id_scheme, q.EDIFACT_ID_SCHEME_CODE, "edifact")
        if party.id_scheme
        else None
    )
    ident = comp(party.id, "", agency) if party.id else ""
    address = party.address or Address()
    out = [
        seg(
            "NAD",
            code,
            ident,
            "",
            comp(*wrap(party.name, 35)[:5]) if party.name else "",
            comp(*address.lines[:4]) if address.lines else "",
            address.city,
            address.region,
            address.postal_code,
            address.country,
        )
    ]
    out.extend(after_nad)
    for contact in party.contacts:
        out.append(seg("CTA", contact.function or "IC", comp("", contact.name or "")))
        if contact.phone:
            out.append(seg("COM", comp(contact.phone, "TE")))
        if contact.email:
            out.append(seg("COM", comp(contact.email, "EM")))
    return out


def read_time(
    dtm: Segment,
    context: MapContext,
    findings: Findings,
    path: str,
    region: str | None = None,
    country: str | None = None,
) -> tuple[dt.datetime | None, bool]:
    return edifact_datetime(
        dtm.get(1, 2), dtm.get(1, 3), context, findings, path, region=region, country=country
    )


def write_time(qualifier: str, moment: dt.datetime, local: bool = False) -> Segment:
    value, fmt = edifact_dtm_value(moment, local=local)
    return seg("DTM", comp(qualifier, value, fmt))


def read_measure(mea: Segment) -> Weight | Volume | None:
    """MEA+WT|VOL+property+unit:value (weights and volumes only)."""
    purpose = mea.get(1).strip()
    unit_code, value = mea.get(3, 1).strip(), decimal(mea.get(3, 2))
    if value is None:
        return None
    if purpose in ("WT", "AAE") and unit_code in q.EDIFACT_WEIGHT_UNIT:
        qualifier = {"G": "gross", "AAL": "net", "N": "net"}.get(mea.get(2, 1).strip())
        unit = q.EDIFACT_WEIGHT_UNIT[unit_code]
        return Weight(value=value, unit=unit, qualifier=qualifier)
    if purpose in ("VOL", "AAE") and unit_code in q.EDIFACT_VOLUME_UNIT:
        return Volume(value=value, unit=q.EDIFACT_VOLUME_UNIT[unit_code])
    return None


def write_weight(weight: Weight) -> Segment:
    prop = {"gross": "G", "net": "AAL"}.get(weight.qualifier or "", "")
    unit = q.EDIFACT_WEIGHT_UNIT_CODE[weight.unit]
    return seg("MEA", "WT", prop, comp(unit, real(weight.value)))


def write_volume(volume: Volume) -> Segment:
    return seg("MEA", "VOL", "", comp(q.EDIFACT_VOLUME_UNIT_CODE[volume.unit], real(volume.value)))


def read_quantity(value: str, unit: str) -> Quantity | None:
    number = decimal(value)
    return Quantity(value=number, unit=clean(unit)) if number is not None else None


def free_text(qualifier: str, texts: Sequence[str]) -> list[Segment]:
    """FTX segments: 4440 holds 70 characters in D96A (512 later) and FTX five of them, so
    text is wrapped at 70 and a long one continues in another FTX."""
    out: list[Segment] = []
    for text in texts:
        pieces = wrap(text, 70)
        for start in range(0, len(pieces), 5):
            out.append(seg("FTX", qualifier, "", "", comp(*pieces[start : start + 5])))
    return out
