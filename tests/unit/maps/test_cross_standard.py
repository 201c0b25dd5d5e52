"""X12 214 -> canonical -> IFTSTA -> canonical keeps the milestones, times and references
both standards can carry, including the ones whose Rec 24 code needs the place."""

from __future__ import annotations

import pytest

from tests.unit.maps.segments import x12
from translators.canonical import Milestone
from translators.maps import from_canonical, to_canonical

pytestmark = pytest.mark.unit

TRIP = x12(
    "ST*214*1~B10*PRO1*LOAD1*ABCD~L11*BOL1*BM~"
    "LX*1~AT7*X3*NS***20240301*0800*ET~MS1*RUMFORD*ME*US~"
    "LX*2~AT7*AF*NS***20240301*0930*ET~L11*SEAL9*SN~"
    "LX*3~AT7*X6*NS***20240302*1200*CT~"
    "LX*4~AT7*AJ*NS***20240303*0700*PT~"
    "LX*5~AT7*X1*NS***20240303*0900*PT~"
    "LX*6~AT7*D1*B1***20240303*0945*PT~"
    "LX*7~AT7*CD*NS***20240303*1000*PT~"
    "LX*8~AT7*AG*NS***20240304*1000*PT~"
    "LX*9~AT7***AB*NA*20240305*1000*PT~"
    "SE*23*1~"
)


def test_214_to_iftsta_and_back() -> None:
    status = to_canonical("x12", "214", TRIP)
    assert status is not None and status.record_type == "shipment_status"
    back = to_canonical("edifact", "IFTSTA", from_canonical(status, "edifact", "D96A"))
    assert back is not None and back.record_type == "shipment_status"
    carried = status.events[:8]  # appointments have no IFTSTA counterpart
    assert [e.milestone for e in back.events] == [e.milestone for e in carried]
    assert [e.milestone for e in carried] == [
        Milestone.ARRIVED_PICKUP,
        Milestone.PICKED_UP,
        Milestone.IN_TRANSIT,
        Milestone.OUT_FOR_DELIVERY,
        Milestone.ARRIVED_DELIVERY,
        Milestone.DELIVERED,
        Milestone.DEPARTED_DELIVERY,
        Milestone.ETA_UPDATED,  # STS 31 with only an estimated arrival (DTM+132)
    ]
    assert [e.time for e in back.events] == [e.time for e in carried]
    assert back.references == status.references == {"bol": ["BOL1"]}
    assert back.events[1].references == {"seal": ["SEAL9"]}
    assert back.shipment_id == "LOAD1"
    # the reason travels as its 9013 equivalent (B1 consignee closed -> 7 business closed)
    assert back.events[5].original is not None and back.events[5].original.reason == "7"
    assert back.events[0].location is not None and back.events[0].location.city == "RUMFORD"
