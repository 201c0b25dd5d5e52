"""Standard status tables: X12 AT7 status (1650), reason (1651) and appointment (1652) codes,
and EDIFACT STS event codes per UN/ECE Recommendation 24 with 9013 reasons, each onto the
canonical milestone. Facts from /work/shared/reference (x12-transport §10, edifact-transport
§2.2 and §4); partner tables are applied in front of these by the maps."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from translators.canonical.vocab import Milestone as M


def _frozen(table: dict[str, tuple[M, str]]) -> Mapping[str, tuple[M, str]]:
    return MappingProxyType(table)


# X12 element 1650 (AT7-01): code -> (milestone, meaning)
X12_STATUS: Mapping[str, tuple[M, str]] = _frozen(
    {
        "XB": (M.TENDERED, "shipment acknowledged"),
        "X3": (M.ARRIVED_PICKUP, "arrived at pick-up location"),
        "X8": (M.ARRIVED_PICKUP, "arrived at pick-up location loading dock"),
        "CP": (M.LOADED, "completed loading at pick-up location"),
        "AM": (M.LOADED, "loaded on truck"),
        "AF": (M.PICKED_UP, "carrier departed pick-up location with shipment"),
        "X6": (M.IN_TRANSIT, "en route to delivery location"),
        "X4": (M.IN_TRANSIT, "arrived at terminal location"),
        "P1": (M.IN_TRANSIT, "departed terminal location"),
        "J1": (M.IN_TRANSIT, "delivered to connecting line"),
        "R1": (M.IN_TRANSIT, "received from prior carrier"),
        "AR": (M.IN_TRANSIT, "rail arrival at destination ramp"),
        "RL": (M.IN_TRANSIT, "rail departure from origin ramp"),
        "AN": (M.IN_TRANSIT, "diverted to air carrier"),
        "BA": (M.IN_TRANSIT, "connecting line or cartage pick-up"),
        "BC": (M.IN_TRANSIT, "storage in transit"),
        "CL": (M.IN_TRANSIT, "trailer closed out"),
        "K1": (M.IN_TRANSIT, "arrived at customs"),
        "AV": (M.IN_TRANSIT, "available for delivery"),
        "B6": (M.ETA_UPDATED, "estimated to arrive at carrier terminal"),
        "C1": (M.ETA_UPDATED, "estimated to depart terminal location"),
        "X2": (M.ETA_UPDATED, "estimated date/time of arrival at consignee's location"),
        "AG": (M.ETA_UPDATED, "estimated delivery"),
        "AJ": (M.OUT_FOR_DELIVERY, "tendered for delivery"),
        "SD": (M.DELAYED, "shipment delayed"),
        "X1": (M.ARRIVED_DELIVERY, "arrived at delivery location"),
        "X5": (M.ARRIVED_DELIVERY, "arrived at delivery location loading dock"),
        "S1": (M.ARRIVED_DELIVERY, "trailer spotted at consignee's location"),
        "D1": (M.DELIVERED, "completed unloading at delivery location"),
        "CB": (M.DELIVERED, "completed shipment (final part of a partial)"),
        "PA": (M.DELIVERED, "partial shipment delivered"),
        "CD": (M.DEPARTED_DELIVERY, "carrier departed delivery location"),
        "AH": (M.EXCEPTION, "attempted delivery"),
        "AP": (M.EXCEPTION, "delivery not completed"),
        "A7": (M.EXCEPTION, "refused by consignee"),
        "A9": (M.EXCEPTION, "shipment damaged"),
        "A3": (M.EXCEPTION, "shipment returned to shipper"),
        "AI": (M.EXCEPTION, "shipment has been reconsigned"),
        "PR": (M.EXCEPTION, "U.S. customs hold at in-bond location"),
        "OO": (M.EXCEPTION, "paperwork received, did not receive shipment or equipment"),
        "CA": (M.CANCELLED, "shipment cancelled"),
    }
)

# X12 element 1651 (AT7-02): code -> meaning
X12_REASON: Mapping[str, str] = MappingProxyType(
    {
        "NS": "normal status",
        "A1": "missed delivery",
        "A2": "incorrect address",
        "A3": "indirect delivery",
        "A5": "unable to locate",
        "A6": "address corrected, delivery attempted",
        "AA": "mis-sort",
        "AD": "customer requested future delivery",
        "AE": "restricted articles unacceptable",
        "AF": "accident",
        "AG": "consignee related",
        "AH": "driver related",
        "AI": "mechanical breakdown",
        "AJ": "other carrier related",
        "AM": "shipper related",
        "AN": "holiday, closed",
        "AO": "weather or natural disaster related",
        "AQ": "recipient unavailable, delivery delayed",
        "AW": "past cut-off time",
        "AX": "insufficient pick-up time",
        "AY": "missed pick-up",
        "B1": "consignee closed",
        "B5": "held for consignee",
        "B9": "receiving time restricted",
        "BB": "held per shipper",
        "BC": "missing documents",
        "BE": "road conditions",
        "BG": "other",
        "BK": "prearranged appointment",
        "BS": "refused by customer",
        "BT": "returned to shipper",
        "C2": "credit hold",
        "CA": "customs (import or export)",
        "D1": "carrier dispatch error",
        "D2": "driver not available",
        "HB": "held pending appointment",
        "NA": "normal appointment",
    }
)

# X12 element 1652 (AT7-03): appointment code -> meaning
X12_APPOINTMENT: Mapping[str, str] = MappingProxyType(
    {
        "AA": "pick-up appointment date/time",
        "AB": "delivery appointment date/time",
        "AC": "estimated delivery appointment",
        "ED": "deliver no earlier than",
        "EP": "pick-up no earlier than",
        "LD": "deliver no later than",
        "LP": "pick-up no later than",
        "X9": "delivery appointment secured",
        "XA": "pick-up appointment secured",
    }
)

# UN/ECE Recommendation 24 transport status codes (IFTSTA STS C555 9011, and 4405 from D00A
# on, which keeps its Rec-24 meaning in IFTSTA: never resolve these against the plain 4405
# list): code -> (milestone, meaning)
REC24_STATUS: Mapping[str, tuple[M, str]] = _frozen(
    {
        "1": (M.ARRIVED_DELIVERY, "arrived"),
        "2": (M.IN_TRANSIT, "authorised to load"),
        "5": (M.IN_TRANSIT, "begun"),
        "6": (M.ACCEPTED, "booked"),
        "7": (M.CANCELLED, "booking cancelled"),
        "8": (M.IN_TRANSIT, "cleared import restrictions"),
        "9": (M.IN_TRANSIT, "cleared export restrictions"),
        "12": (M.IN_TRANSIT, "cleared by customs"),
        "13": (M.PICKED_UP, "collected"),
        "14": (M.DELIVERED, "completed"),
        "16": (M.IN_TRANSIT, "crossed border"),
        "17": (M.EXCEPTION, "customs refusal"),
        "18": (M.EXCEPTION, "damaged"),
        "20": (M.DELAYED, "delayed"),
        "21": (M.DELIVERED, "delivered"),
        "22": (M.DELIVERED, "delivery completed"),
        "23": (M.EXCEPTION, "delivery not completed"),
        "24": (M.IN_TRANSIT, "departed"),
        "25": (M.DELAYED, "departure delay"),
        "27": (M.PICKED_UP, "despatched"),
        "29": (M.IN_TRANSIT, "discharged"),
        "31": (M.IN_TRANSIT, "en route"),
        "36": (M.EXCEPTION, "not found"),
        "37": (M.IN_TRANSIT, "found"),
        "40": (M.IN_TRANSIT, "goods at port"),
        "41": (M.IN_TRANSIT, "handover"),
        "42": (M.IN_TRANSIT, "handover delivered"),
        "43": (M.IN_TRANSIT, "handover received"),
        "45": (M.ARRIVED_DELIVERY, "informed consignee of arrival"),
        "48": (M.LOADED, "loaded"),
        "49": (M.EXCEPTION, "lost"),
        "50": (M.IN_TRANSIT, "manifested"),
        "53": (M.EXCEPTION, "no pick-up"),
        "55": (M.EXCEPTION, "not collected"),
        "56": (M.EXCEPTION, "not delivered"),
        "57": (M.EXCEPTION, "not loaded"),
        "59": (M.IN_TRANSIT, "off loaded"),
        "64": (M.TENDERED, "pick-up awaited"),
        "71": (M.TENDERED, "ready for transportation"),
        "74": (M.IN_TRANSIT, "received"),
        "77": (M.EXCEPTION, "refused without reason given"),
        "78": (M.IN_TRANSIT, "released"),
        "82": (M.EXCEPTION, "returned"),
        "90": (M.EXCEPTION, "stopped"),
        "91": (M.IN_TRANSIT, "stored"),
        "98": (M.IN_TRANSIT, "transferred in"),
        "99": (M.IN_TRANSIT, "transferred out"),
        "100": (M.IN_TRANSIT, "transhipment"),
        "101": (M.DELAYED, "transit delay"),
    }
)

# Rec 24 codes whose meaning depends on where the event happened (edifact-transport §4):
# the STS group's LOC qualifier (3227) says pick-up side or delivery side.
PICKUP_PLACES = frozenset({"5", "9", "88"})  # departure, loading, receipt
DELIVERY_PLACES = frozenset({"7", "8"})  # delivery, destination
REC24_BY_PLACE: Mapping[tuple[str, str], M] = MappingProxyType(
    {
        ("1", "pickup"): M.ARRIVED_PICKUP,
        ("1", "delivery"): M.ARRIVED_DELIVERY,
        ("24", "pickup"): M.PICKED_UP,
        ("24", "delivery"): M.DEPARTED_DELIVERY,
        ("31", "delivery"): M.OUT_FOR_DELIVERY,
    }
)
# the LOC qualifier written with an event so that the code above reads back the same
PLACE_FOR_MILESTONE: Mapping[M, str] = MappingProxyType(
    {
        M.ARRIVED_PICKUP: "9",
        M.PICKED_UP: "9",
        M.ARRIVED_DELIVERY: "7",
        M.DEPARTED_DELIVERY: "7",
        M.OUT_FOR_DELIVERY: "7",
        M.DELIVERED: "7",
    }
)

# UNCL 9013 status reasons used in IFTSTA STS C556
EDIFACT_REASON: Mapping[str, str] = MappingProxyType(
    {
        "6": "attempt unsuccessful",
        "7": "business closed",
        "12": "customer arrangements",
        "14": "damaged",
        "15": "delivery at requested date",
        "16": "destination incorrect",
        "21": "due to customer",
        "30": "incorrect address",
        "32": "instructions awaited",
        "35": "mechanical breakdown",
        "37": "missing/incorrect documents",
        "38": "new delivery arrangements",
        "49": "refused without reason given",
        "58": "transit delay",
        "63": "weather conditions",
    }
)

# Crossing standards: for a milestone whose original code is from the other standard, the
# code to write. X12 appointments have no IFTSTA counterpart (see docs/canonical.md).
MILESTONE_TO_X12: Mapping[M, str] = MappingProxyType(
    {
        M.TENDERED: "XB",
        M.ACCEPTED: "XB",
        M.ARRIVED_PICKUP: "X3",
        M.LOADED: "CP",
        M.PICKED_UP: "AF",
        M.IN_TRANSIT: "X6",
        M.OUT_FOR_DELIVERY: "AJ",
        M.ARRIVED_DELIVERY: "X1",
        M.DELIVERED: "D1",
        M.DEPARTED_DELIVERY: "CD",
        M.DELAYED: "SD",
        M.EXCEPTION: "AP",
        M.ETA_UPDATED: "AG",
        M.CANCELLED: "CA",
    }
)

MILESTONE_TO_REC24: Mapping[M, str] = MappingProxyType(
    {
        M.TENDERED: "64",
        M.ACCEPTED: "6",
        M.ARRIVED_PICKUP: "1",  # with a pick-up-side LOC
        M.LOADED: "48",
        M.PICKED_UP: "13",
        M.IN_TRANSIT: "31",
        M.OUT_FOR_DELIVERY: "31",
        M.ARRIVED_DELIVERY: "1",
        M.DELIVERED: "21",
        M.DEPARTED_DELIVERY: "24",  # with a delivery-side LOC
        M.DELAYED: "20",
        M.EXCEPTION: "23",
        M.CANCELLED: "7",
    }
)

# 9013 -> 1651 and back, as practical equivalents (edifact-transport §4)
REASON_EDIFACT_TO_X12: Mapping[str, str] = MappingProxyType(
    {
        "7": "B1",
        "30": "A2",
        "63": "AO",
        "35": "AI",
        "37": "BC",
        "49": "BS",
        "21": "AG",
        "12": "AG",
        "15": "AD",
        "58": "AJ",
    }
)
REASON_X12_TO_EDIFACT: Mapping[str, str] = MappingProxyType(
    {
        "B1": "7",
        "A2": "30",
        "AO": "63",
        "AI": "35",
        "BC": "37",
        "BS": "49",
        "AG": "21",
        "AD": "15",
        "AJ": "58",
    }
)


def _partner_milestone(code: str, partner: Mapping[str, str] | None) -> M | None:
    """The partner's milestone for a code; an entry naming no milestone is ignored (profile
    validation reports it) rather than failing the message."""
    if not partner or code not in partner:
        return None
    try:
        return M(partner[code])
    except ValueError:
        return None


def x12_milestone(code: str, partner: Mapping[str, str] | None = None) -> M | None:
    """The milestone for an AT7-01 code: the partner's table first, then the standard one;
    None when neither knows it (the caller maps it to `unknown` and flags it)."""
    mapped = _partner_milestone(code, partner)
    if mapped is not None:
        return mapped
    known = X12_STATUS.get(code)
    return known[0] if known else None


def rec24_milestone(
    code: str, partner: Mapping[str, str] | None = None, place: str | None = None
) -> M | None:
    """The milestone for an IFTSTA STS event code (UN/ECE Rec 24), partner table first;
    `place` (the STS group's LOC qualifier) tells arrival at pick-up from arrival at
    delivery and the like."""
    mapped = _partner_milestone(code, partner)
    if mapped is not None:
        return mapped
    side = "pickup" if place in PICKUP_PLACES else "delivery" if place in DELIVERY_PLACES else ""
    if (code, side) in REC24_BY_PLACE:
        return REC24_BY_PLACE[(code, side)]
    known = REC24_STATUS.get(code)
    return known[0] if known else None
