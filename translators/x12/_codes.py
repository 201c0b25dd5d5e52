"""X12 standard codes for every finding: TA1 notes, AK9, AK5/IK5, AK3/IK3 and AK4/IK4, and
the envelope finding names the X12 engine reports (Issue.code values)."""

from __future__ import annotations

from translators.core import guide as g

# guide findings -> X12 codes ("ak3"/"ak4" serve the 997 and the 999; "ik3"/"ik4" only where
# the 999 has its own implementation code)
GUIDE_CODES: dict[str, dict[str, str]] = {
    g.SEGMENT_UNRECOGNIZED: {"ak3": "1"},
    g.SEGMENT_UNEXPECTED: {"ak3": "2"},
    g.SEGMENT_MISSING: {"ak3": "3"},
    g.LOOP_OVER_MAX: {"ak3": "4"},
    g.SEGMENT_OVER_MAX: {"ak3": "5"},
    g.SEGMENT_NOT_IN_MESSAGE: {"ak3": "6"},
    g.SEGMENT_OUT_OF_ORDER: {"ak3": "7"},
    g.SEGMENT_NOT_USED: {"ak3": "2", "ik3": "I4"},
    g.ELEMENT_MISSING: {"ak4": "1"},
    g.ELEMENT_CONDITIONAL_MISSING: {"ak4": "2"},
    g.TOO_MANY_ELEMENTS: {"ak4": "3"},
    g.ELEMENT_TOO_SHORT: {"ak4": "4"},
    g.ELEMENT_TOO_LONG: {"ak4": "5"},
    g.ELEMENT_INVALID_CHARACTER: {"ak4": "6"},
    g.ELEMENT_INVALID_CODE: {"ak4": "7"},
    g.ELEMENT_INVALID_DATE: {"ak4": "8"},
    g.ELEMENT_INVALID_TIME: {"ak4": "9"},
    g.ELEMENT_EXCLUSION_VIOLATED: {"ak4": "10"},
    g.TOO_MANY_REPETITIONS: {"ak4": "12"},
    g.TOO_MANY_COMPONENTS: {"ak4": "13"},
    g.ELEMENT_NOT_USED: {"ak4": "10", "ik4": "I10"},
}
# every guide finding puts its transaction set in error
for _codes in GUIDE_CODES.values():
    _codes.setdefault("ak5", "5")
    _codes.setdefault("ik5", "5")
    if "ak4" in _codes:
        _codes.setdefault("ak3", "8")

# ---- envelope findings (Issue.code) and their codes
ISA_CONTROL_NUMBER_INVALID = "isa_control_number_invalid"
ISA_DATE_INVALID = "isa_date_invalid"
ISA_TIME_INVALID = "isa_time_invalid"
ISA_VERSION_INVALID = "isa_version_invalid"
ISA_STANDARDS_ID_INVALID = "isa_standards_id_invalid"
ISA_ACK_REQUESTED_INVALID = "isa_ack_requested_invalid"
ISA_TEST_INDICATOR_INVALID = "isa_test_indicator_invalid"
ISA_NOT_FIXED_WIDTH = "isa_not_fixed_width"
ISA_DELIMITERS_INVALID = "isa_delimiters_invalid"
IEA_MISSING = "iea_missing"
IEA_CONTROL_NUMBER_MISMATCH = "iea_control_number_mismatch"
IEA_GROUP_COUNT_MISMATCH = "iea_group_count_mismatch"
INTERCHANGE_STRUCTURE_INVALID = "interchange_structure_invalid"
GS_INVALID = "gs_invalid"
GS_DATE_INVALID = "gs_date_invalid"
GS_TIME_INVALID = "gs_time_invalid"
GS_CONTROL_NUMBER_INVALID = "gs_control_number_invalid"
GS_VERSION_MISMATCH = "gs_version_mismatch"
GE_MISSING = "ge_missing"
GE_CONTROL_NUMBER_MISMATCH = "ge_control_number_mismatch"
GE_COUNT_MISMATCH = "ge_count_mismatch"
ST_CONTROL_NUMBER_INVALID = "st_control_number_invalid"
ST_CONTROL_NUMBER_DUPLICATE = "st_control_number_duplicate"
ST_NOT_IN_GROUP_FAMILY = "st_not_in_group_family"
SE_MISSING = "se_missing"
SE_CONTROL_NUMBER_MISMATCH = "se_control_number_mismatch"
SE_COUNT_MISMATCH = "se_count_mismatch"
TRANSACTION_SET_UNSUPPORTED = "transaction_set_unsupported"
TRANSACTION_UNENVELOPED = "transaction_unenveloped"
SEGMENT_UNTERMINATED = "segment_unterminated"
TRAILING_DATA = "trailing_data"

ENVELOPE_CODES: dict[str, dict[str, str]] = {
    ISA_CONTROL_NUMBER_INVALID: {"ta1": "018"},
    ISA_DATE_INVALID: {"ta1": "014"},
    ISA_TIME_INVALID: {"ta1": "015"},
    ISA_STANDARDS_ID_INVALID: {"ta1": "016"},
    ISA_VERSION_INVALID: {"ta1": "017"},
    ISA_ACK_REQUESTED_INVALID: {"ta1": "019"},
    ISA_TEST_INDICATOR_INVALID: {"ta1": "020"},
    ISA_DELIMITERS_INVALID: {"ta1": "026"},
    IEA_MISSING: {"ta1": "023"},
    IEA_CONTROL_NUMBER_MISMATCH: {"ta1": "001"},
    IEA_GROUP_COUNT_MISMATCH: {"ta1": "021"},
    INTERCHANGE_STRUCTURE_INVALID: {"ta1": "022"},
    GS_INVALID: {"ta1": "024", "ak9": "1"},
    GS_CONTROL_NUMBER_INVALID: {"ak9": "6"},
    GE_MISSING: {"ak9": "3"},
    GE_CONTROL_NUMBER_MISMATCH: {"ak9": "4"},
    GE_COUNT_MISMATCH: {"ak9": "5"},
    GS_DATE_INVALID: {"ak9": "30"},  # 716 code 30 exists from 005010 on; dropped for 004010
    GS_TIME_INVALID: {"ak9": "31"},
    ST_CONTROL_NUMBER_INVALID: {"ak5": "7", "ik5": "7"},
    ST_CONTROL_NUMBER_DUPLICATE: {"ak5": "23", "ik5": "23"},
    ST_NOT_IN_GROUP_FAMILY: {"ik5": "18"},
    SE_MISSING: {"ak5": "2", "ik5": "2"},
    SE_CONTROL_NUMBER_MISMATCH: {"ak5": "3", "ik5": "3"},
    SE_COUNT_MISMATCH: {"ak5": "4", "ik5": "4"},
    TRANSACTION_SET_UNSUPPORTED: {"ak5": "1", "ik5": "1"},
    TRANSACTION_UNENVELOPED: {"ak5": "6", "ik5": "6"},
}

# GS-01 functional identifier of each transaction set the gateway handles
FUNCTIONAL_IDS = {"204": "SM", "990": "GF", "214": "QM", "210": "IM", "997": "FA", "999": "FA"}
