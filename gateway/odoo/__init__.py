"""Odoo side of the gateway: the odoorpc client, posting rules and the bundled emulator.

The pipeline uses `OdooPoster` (post_status / post_statuses / post_invoice /
post_tender_response / pending_tenders / record_tender) with `OdooRules` built from the
partner profile; it never touches odoorpc. Errors: `gateway.odoo.errors`."""

from gateway.odoo.client import OdooClient, RetryPolicy, xmlid_name
from gateway.odoo.errors import (
    OdooAccessError,
    OdooCallError,
    OdooError,
    OdooLoginFailed,
    OdooMissingRecord,
    OdooRetryableError,
    OdooSetupError,
    OdooTimeout,
    OdooUnavailable,
    OdooValidationError,
    ShipmentNotFound,
)
from gateway.odoo.posting import (
    ChargeComparison,
    InvoiceMismatch,
    OdooPoster,
    PendingTender,
    PostResult,
    StatusItem,
    TouchedRecord,
)
from gateway.odoo.rules import OdooRules, ReferenceRule

__all__ = [
    "ChargeComparison",
    "InvoiceMismatch",
    "OdooAccessError",
    "OdooCallError",
    "OdooClient",
    "OdooError",
    "OdooLoginFailed",
    "OdooMissingRecord",
    "OdooPoster",
    "OdooRetryableError",
    "OdooRules",
    "OdooSetupError",
    "OdooTimeout",
    "OdooUnavailable",
    "OdooValidationError",
    "PendingTender",
    "PostResult",
    "ReferenceRule",
    "RetryPolicy",
    "ShipmentNotFound",
    "StatusItem",
    "TouchedRecord",
    "xmlid_name",
]
