"""X12 pieces several maps share: N1 party loops, L11/N9 references, AT8/weights, and the
ST..SE frame of an outbound transaction set."""

from __future__ import annotations

from collections.abc import Sequence

from translators.canonical.models import Address, Contact, Equipment, Party, References, Weight
from translators.codes import qualifiers as q
from translators.core.segment import Segment, Value
from translators.maps._common import add_reference, clean, decimal, real
from translators.maps.context import MapContext

PARTY_LOOP_TAGS = frozenset({"N2", "N3", "N4", "G61", "PER"})


def seg(tag: str, *elements: Value | None) -> Segment:
    """A segment with trailing empty elements dropped (writers must not emit `*~` tails)."""
    values: list[Value] = ["" if e is None else e for e in elements]
    while values and values[-1] in ("", ()):
        values.pop()
    return Segment(tag, values)


def frame(set_id: str, body: list[Segment], control_number: str = "0001") -> list[Segment]:
    """ST + body + SE with the count of included segments (ST and SE counted)."""
    return [
        Segment("ST", [set_id, control_number]),
        *body,
        Segment("SE", [str(len(body) + 2), control_number]),
    ]


def body(segments: Sequence[Segment]) -> list[Segment]:
    """The segments between ST and SE (either may be absent in what we are given)."""
    start = 1 if segments and segments[0].tag == "ST" else 0
    end = len(segments) - 1 if segments and segments[-1].tag == "SE" else len(segments)
    return list(segments[start:end])


def read_reference(segment: Segment, refs: References, context: MapContext) -> None:
    """L11 (value, qualifier) or N9 (qualifier, value) into a reference map."""
    if segment.tag == "L11":
        value, qualifier = clean(segment.get(1)), clean(segment.get(2))
    else:  # N9
        qualifier, value = clean(segment.get(1)), clean(segment.get(2))
    if value and qualifier:
        kind = q.canonical_name(
            qualifier, q.X12_REFERENCE, "x12", context.reference_qualifiers or None
        )
        add_reference(refs, kind, value)


def write_references(tag: str, refs: References, context: MapContext) -> list[Segment]:
    out: list[Segment] = []
    for kind, values in refs.items():
        code = q.code_for(kind, q.X12_REFERENCE_CODE, "x12", context.reference_qualifiers or None)
        if code is None:
            continue  # a qualifier only EDIFACT has
        for value in values:
            out.append(seg("L11", value, code) if tag == "L11" else seg("N9", code, value))
    return out


def read_party(
    segments: Sequence[Segment], index: int, context: MapContext, refs: References | None = None
) -> tuple[Party, int]:
    """The N1 loop starting at `index` (N1, N2, N3, N4, G61/PER, and L11/N9 when `refs` is
    given); returns the party and the index after the loop."""
    n1 = segments[index]
    role = q.canonical_name(n1.get(1).strip(), q.X12_PARTY, "x12", context.party_roles or None)
    scheme_code = clean(n1.get(3))
    party = Party(
        role=role,
        name=clean(n1.get(2)),
        id=clean(n1.get(4)),
        id_scheme=q.canonical_name(scheme_code, q.X12_ID_SCHEME, "x12") if scheme_code else None,
    )
    lines: list[str] = []
    address = Address()
    has_address = False
    contacts: list[Contact] = []
    index += 1
    while index < len(segments):
        s = segments[index]
        if s.tag == "N2":
            extra = " ".join(v for v in (clean(s.get(1)), clean(s.get(2))) if v)
            party.name = f"{party.name} {extra}".strip() if party.name else extra or None
        elif s.tag == "N3":
            lines.extend(v for v in (clean(s.get(1)), clean(s.get(2))) if v)
            has_address = True
        elif s.tag == "N4":
            address.city = clean(s.get(1))
            address.region = clean(s.get(2))
            address.postal_code = clean(s.get(3))
            address.country = clean(s.get(4))
            address.location_code = clean(s.get(6))
            has_address = True
        elif s.tag == "G61" or s.tag == "PER":
            contacts.append(_contact(s))
        elif s.tag in ("L11", "N9") and refs is not None:
            read_reference(s, refs, context)
        else:
            break
        index += 1
    if has_address:
        address.lines = lines
        party.address = address
    party.contacts = contacts
    return party, index


def _contact(s: Segment) -> Contact:
    contact = Contact(function=clean(s.get(1)), name=clean(s.get(2)))
    for pos in (3, 5, 7):
        kind, number = s.get(pos).strip(), clean(s.get(pos + 1))
        if kind == "EM":
            contact.email = number
        elif kind and number and contact.phone is None:
            contact.phone = number
    return contact


def write_party(party: Party, context: MapContext, max_contacts: int = 3) -> list[Segment]:
    """The N1 loop of a party; `max_contacts` G61s (a 214 loop has room for one, a 210
    loop for none)."""
    code = q.code_for(party.role, q.X12_PARTY_CODE, "x12", context.party_roles or None)
    if code is None:
        return []
    scheme = q.code_for(party.id_scheme, q.X12_ID_SCHEME_CODE, "x12") if party.id_scheme else None
    ident = party.id if scheme else None
    name = party.name
    if not name and not ident:
        # N1 needs a name or an id (R0203): a party known only by its address is named after
        # it, so the address is not lost; a bare role says nothing and is left out
        address = party.address
        name = (address.lines[0] if address.lines else address.city) if address else None
        if not name:
            return []
    out = [seg("N1", code, name, scheme, ident)]
    if party.address is not None:
        address = party.address
        for i in range(0, min(len(address.lines), 4), 2):
            out.append(seg("N3", *address.lines[i : i + 2]))
        if any((address.city, address.region, address.postal_code, address.country)):
            out.append(
                seg(
                    "N4",
                    address.city,
                    address.region,
                    address.postal_code,
                    address.country,
                    "ZZ" if address.location_code else None,
                    address.location_code,
                )
            )
    for contact in [c for c in party.contacts if c.name][:max_contacts]:
        numbers: list[str | None] = []
        if contact.phone:
            numbers += ["TE", contact.phone]
        if contact.email:
            numbers += ["EM", contact.email]
        out.append(seg("G61", contact.function or "IC", contact.name or "", *numbers))
    return out


def equipment_codes(equipment: Equipment) -> tuple[str, str, str]:
    """(initial, number, description code) for N7/MS2: a container number sent whole
    (`TRHU4561222`) is split into its owner prefix and serial; only a 2-letter X12
    equipment code is kept (an ISO size-type such as `45G1` does not fit element 40)."""
    initial, number = equipment.initial or "", equipment.number
    if not initial and len(number) > 4 and number[:4].isalpha() and number[4:].isdecimal():
        initial, number = number[:4], number[4:]
    code = equipment.type_code or ""
    return initial, number, code if len(code) == 2 else ""


def remarks(tag: str, texts: list[str], width: int) -> list[Segment]:
    """Free text in as many segments as it needs (K1-01 holds 30 characters, NTE-02 80)."""
    from translators.maps._common import wrap

    out: list[Segment] = []
    for text in texts:
        for piece in wrap(text, width):
            out.append(seg(tag, piece) if tag == "K1" else seg(tag, "", piece))
    return out


def read_weight(unit_code: str, value_text: str, qualifier_code: str = "") -> Weight | None:
    value = decimal(value_text)
    unit = q.X12_WEIGHT_UNIT.get(unit_code.strip())
    if value is None or unit is None:
        return None
    qualifier = {"G": "gross", "N": "net"}.get(qualifier_code.strip())
    return Weight(value=value, unit=unit, qualifier=qualifier)


def weight_codes(weight: Weight) -> tuple[str, str, str]:
    """(qualifier, unit code, value) to write; X12 has only pounds and kilograms."""
    qualifier = {"gross": "G", "net": "N"}.get(weight.qualifier or "", "G")
    if weight.unit in q.X12_WEIGHT_UNIT_CODE:
        return qualifier, q.X12_WEIGHT_UNIT_CODE[weight.unit], real(weight.value)
    kilograms = weight.value / 1000 if weight.unit == "g" else weight.value * 1000
    return qualifier, "K", real(kilograms)
