"""Every error the Odoo side raises, in one tree. Each says which model, method and records
were involved, which field (when Odoo names one) and Odoo's own message.

    OdooError
    ├── OdooUnavailable            transport trouble: refused, reset, timeout, HTTP 5xx
    ├── OdooLoginFailed            wrong database, login or password
    ├── OdooCallError              Odoo answered with an error object
    │   ├── OdooAccessError        AccessError / AccessDenied: the user lacks a right
    │   ├── OdooValidationError    UserError / ValidationError: a business rule refused it
    │   ├── OdooMissingRecord      MissingError: a record is gone
    │   └── OdooRetryableError     a serialization failure / concurrent update: try again
    ├── OdooSetupError             Odoo lacks what the profile names (vendor, product...)
    └── ShipmentNotFound           no picking matches the references of a document

`retryable` is true exactly for the errors a retry can cure."""

from __future__ import annotations

import re
from typing import Any


class OdooError(Exception):
    """Base of every Odoo-side error."""

    retryable = False

    def as_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": str(self)}


class OdooUnavailable(OdooError):
    """Odoo could not be reached or answered with a server failure (retry later)."""

    retryable = True


class OdooTimeout(OdooUnavailable):
    """No answer within the timeout. The call may have run: not retried automatically."""

    retryable = False


class OdooLoginFailed(OdooError):
    """The database, login or password was refused."""


class OdooCallError(OdooError):
    """Odoo refused a call. Carries Odoo's exception name and message, the call's model,
    method and record ids, and the field Odoo's message names, if any."""

    def __init__(
        self,
        odoo_message: str,
        *,
        odoo_name: str = "",
        model: str = "",
        method: str = "",
        record_ids: list[int] | None = None,
        field: str | None = None,
        odoo_model: str | None = None,
    ) -> None:
        self.odoo_message = odoo_message
        self.odoo_name = odoo_name
        self.model = model
        self.method = method
        self.record_ids = list(record_ids or [])
        self.field = field
        self.odoo_model = odoo_model or model
        where = f"{model}.{method}"
        if self.record_ids:
            where += f" on {model}{tuple(self.record_ids)!r}".replace(",)", ")")
        detail = f" (field {self.odoo_model}.{field})" if field else ""
        super().__init__(f"{where} failed{detail}: {odoo_message} [{odoo_name}]")

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "odoo_exception": self.odoo_name,
            "odoo_message": self.odoo_message,
            "model": self.model,
            "method": self.method,
            "record_ids": self.record_ids,
            "field": self.field,
        }


class OdooAccessError(OdooCallError):
    """The integration user lacks an access right (fix the user's groups)."""


class OdooValidationError(OdooCallError):
    """A business rule or constraint refused the call."""


class OdooMissingRecord(OdooCallError):
    """A record the call names does not exist (any more)."""


class OdooRetryableError(OdooCallError):
    """A transient database conflict; the same call can simply be sent again."""

    retryable = True


class OdooSetupError(OdooError):
    """Odoo lacks something the partner profile refers to (vendor, product, carrier...)."""


class ShipmentNotFound(OdooError):
    """No picking matched; `tried` lists (reference kind, Odoo field, values) in rule order."""

    def __init__(self, document: str, tried: list[tuple[str, str, list[str]]]) -> None:
        self.document = document
        self.tried = tried
        shown = "; ".join(
            f"{kind} {values} in stock.picking.{field}" for kind, field, values in tried
        )
        super().__init__(f"no stock.picking found for {document}: tried {shown or 'no references'}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": "ShipmentNotFound",
            "message": str(self),
            "tried": [
                {"reference": kind, "odoo_field": field, "values": values}
                for kind, field, values in self.tried
            ],
        }


_MANDATORY = re.compile(r"Model: .*\((?P<model>[\w.]+)\)\nField: .*\((?P<field>\w+)\)")
_INVALID_FIELD = re.compile(r"Invalid field '(?P<field>\w+)' on model '(?P<model>[\w.]+)'")
_INVALID_LEAF = re.compile(r"Invalid field (?P<model>[\w.]+?)\.(?P<field>\w+) in leaf")
_LOCKED = re.compile(r"readonly fields on a posted move: (?P<field>[\w, ]+)")
_WRONG_VALUE = re.compile(r"Wrong value for (?P<model>[\w.]+?)\.(?P<field>\w+):")

_SERIALIZATION_NAMES = (
    "psycopg2.errors.SerializationFailure",
    "psycopg2.extensions.TransactionRollbackError",
    "psycopg2.errors.LockNotAvailable",
    "psycopg.errors.SerializationFailure",
)


def from_rpc_error(
    info: Any, message: str, *, model: str, method: str, record_ids: list[int] | None
) -> OdooCallError:
    """Turn odoorpc's RPCError payload (Odoo's error object) into our exception."""
    data = info.get("data", {}) if isinstance(info, dict) else {}
    name = str(data.get("name") or "")
    text = str(data.get("message") or message)
    field = odoo_model = None
    for pattern in (_MANDATORY, _INVALID_FIELD, _INVALID_LEAF, _LOCKED, _WRONG_VALUE):
        match = pattern.search(text)
        if match:
            field = match.group("field")
            odoo_model = match.groupdict().get("model")
            break
    kwargs = dict(
        odoo_name=name,
        model=model,
        method=method,
        record_ids=record_ids,
        field=field,
        odoo_model=odoo_model,
    )
    if name in _SERIALIZATION_NAMES or "could not serialize access" in text:
        return OdooRetryableError(text, **kwargs)  # type: ignore[arg-type]
    if name.endswith(("AccessError", "AccessDenied")):
        return OdooAccessError(text, **kwargs)  # type: ignore[arg-type]
    if name.endswith("MissingError"):
        return OdooMissingRecord(text, **kwargs)  # type: ignore[arg-type]
    return OdooValidationError(text, **kwargs)  # type: ignore[arg-type]
