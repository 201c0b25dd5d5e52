"""X12 214 <-> ShipmentStatus on hand-built transactions."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.maps.segments import x12
from translators.canonical import EventKind, Milestone
from translators.maps import MapContext, x12_214

pytestmark = pytest.mark.unit

STATUS_214 = x12(
    "ST*214*0001~B10*PRO123*LOAD77*ABCD~L11*BOL9*BM~"
    "N1*SH*ACME PAPER~N3*1 MILL ROAD~N4*RUMFORD*ME*04276*US~"
    "LX*1~AT7*X3*NS***20240105*0815*ET~MS1*RUMFORD*ME*US~"
    "AT7*AF*NS***20240105*1130~MS1*RUMFORD*ME*US~MS2*ABCD*TRL42~L11*7*QN~AT8*G*L*1200*3~"
    "LX*000002~AT7***AB*NA*20240107*0900*CT~"
    "LX*3~AT7*ZZ*NS***20240106*1700*UT~"
    "LX*4~AT7*D1*B1***20240107*1015*PD~K1*LEFT AT DOCK~"
    "SE*22*0001~"
)


def test_every_at7_becomes_an_event_with_its_original_codes() -> None:
    status = x12_214.to_canonical(STATUS_214)
    assert status.shipment_id == "LOAD77"
    assert status.carrier_reference == "PRO123"
    assert status.carrier_scac == "ABCD"
    assert status.references == {"bol": ["BOL9"]}
    assert [e.milestone for e in status.events] == [
        Milestone.ARRIVED_PICKUP,
        Milestone.PICKED_UP,
        Milestone.APPOINTMENT_SET,
        Milestone.UNKNOWN,
        Milestone.DELIVERED,
    ]
    originals = [(e.original.status, e.original.reason) for e in status.events if e.original]
    assert originals[0] == ("X3", "NS")
    assert originals[4] == ("D1", "B1")
    assert status.events[4].reason == "consignee closed"
    assert status.events[4].remarks == ["LEFT AT DOCK"]


def test_appointment_only_line_is_an_appointment_event() -> None:
    event = x12_214.to_canonical(STATUS_214).events[2]
    assert event.kind is EventKind.APPOINTMENT
    assert event.original is not None and event.original.appointment == "AB"
    assert event.original.status is None
    assert event.consignment == "2"  # zero-padded LX read numerically


def test_unknown_code_is_kept_flagged_and_unknown() -> None:
    status = x12_214.to_canonical(STATUS_214)
    event = status.events[3]
    assert event.milestone is Milestone.UNKNOWN
    assert event.original is not None and event.original.status == "ZZ"
    assert [(w.code, w.path) for w in status.warnings] == [("unknown_status_code", "LX[3].AT7[1]")]


def test_times_carry_their_zone_and_local_times_are_flagged() -> None:
    events = x12_214.to_canonical(STATUS_214).events
    assert events[0].time == dt.datetime(2024, 1, 5, 13, 15, tzinfo=dt.UTC)  # ET in winter
    assert not events[0].time_zone_assumed
    # no time code: local to the event, Maine is on Eastern time
    assert events[1].time_zone_assumed
    assert events[1].time is not None and events[1].time.utcoffset() == dt.timedelta(hours=-5)
    assert events[4].time is not None and events[4].time.utcoffset() == dt.timedelta(hours=-7)
    assert all(e.time is None or e.time.tzinfo is not None for e in events)


def test_partner_table_wins_over_the_standard_table() -> None:
    context = MapContext(status_codes={"ZZ": "out_for_delivery", "X3": "in_transit"})
    status = x12_214.to_canonical(STATUS_214, context=context)
    assert status.events[3].milestone is Milestone.OUT_FOR_DELIVERY
    assert status.events[0].milestone is Milestone.IN_TRANSIT
    assert not status.warnings


def test_partner_local_zone_is_used_for_local_times() -> None:
    context = MapContext(local_timezone="America/Los_Angeles")
    event = x12_214.to_canonical(STATUS_214, context=context).events[1]
    assert event.time is not None and event.time.utcoffset() == dt.timedelta(hours=-8)


def test_detail_references_weight_and_equipment_stay_with_their_events() -> None:
    event = x12_214.to_canonical(STATUS_214).events[1]
    assert event.references == {"stop_number": ["7"]}
    assert event.equipment is not None and event.equipment.number == "TRL42"
    assert event.weight is not None and event.weight.unit == "lb"
    assert event.quantity is not None and event.quantity.value == 3


def test_round_trip_through_segments() -> None:
    status = x12_214.to_canonical(STATUS_214)
    again = x12_214.to_canonical(x12_214.from_canonical(status))
    # the event with an unknown code cannot be sent (no code the guide accepts says it)
    expected = status.model_dump(exclude={"warnings"})
    del expected["events"][3]
    assert again.model_dump(exclude={"warnings"}) == expected


def test_offsets_without_an_x12_name_are_written_in_utc() -> None:
    status = x12_214.to_canonical(STATUS_214)
    paris = dt.timezone(dt.timedelta(hours=1))
    status.events[0].time = dt.datetime(2024, 1, 5, 14, 15, tzinfo=paris)
    at7 = next(s for s in x12_214.from_canonical(status) if s.tag == "AT7")
    assert at7.elements[4:7] == ["20240105", "1315", "UT"]


def test_outbound_4010_pairs_status_with_a_reason() -> None:
    status = x12_214.to_canonical(STATUS_214)
    status.events[0].original = None
    segments = x12_214.from_canonical(status, "004010")
    at7 = next(s for s in segments if s.tag == "AT7")
    assert at7.elements[:2] == ["X3", "NS"]
    assert segments[-1].tag == "SE" and segments[-1].elements[0] == str(len(segments))


def test_garbage_does_not_raise() -> None:
    status = x12_214.to_canonical(x12("ST*214*1~AT7*D1*NS***2024XX01*99~LX*A~SE*3*1~"))
    assert status.events[0].time is None
    assert {w.code for w in status.warnings} == {"invalid_date"}


def test_partner_reference_and_party_tables_apply_first() -> None:
    context = MapContext(
        reference_qualifiers={"BM": "load_id", "QN": "x12:QN"}, party_roles={"SH": "pickup"}
    )
    status = x12_214.to_canonical(STATUS_214, context=context)
    assert status.references == {"load_id": ["BOL9"]}
    assert status.parties[0].role == "pickup"
    assert status.events[1].references == {"x12:QN": ["7"]}
    # and outbound the partner's qualifier is the one written back
    segments = x12_214.from_canonical(status, context=context)
    assert ["BOL9", "BM"] in [s.elements for s in segments if s.tag == "L11"]
    assert next(s for s in segments if s.tag == "N1").elements[0] == "SH"
