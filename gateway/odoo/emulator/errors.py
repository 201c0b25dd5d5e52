"""Exceptions the emulator raises, each carrying the dotted name real Odoo puts in the
JSON-RPC error's `data.name` (``odoo.exceptions.UserError``, ``builtins.ValueError``...)."""

from __future__ import annotations


class EmulatedError(Exception):
    """Base: `name` is what Odoo reports as `error.data.name`, `message` its text."""

    name = "odoo.exceptions.UserError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserError(EmulatedError):
    name = "odoo.exceptions.UserError"


class ValidationError(EmulatedError):
    name = "odoo.exceptions.ValidationError"


class AccessError(EmulatedError):
    name = "odoo.exceptions.AccessError"


class AccessDenied(EmulatedError):
    name = "odoo.exceptions.AccessDenied"

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class MissingError(EmulatedError):
    name = "odoo.exceptions.MissingError"


class RedirectWarning(EmulatedError):
    name = "odoo.exceptions.RedirectWarning"


class OdooValueError(EmulatedError):
    """A plain Python ValueError raised inside Odoo (bad field, bad domain, bad value)."""

    name = "builtins.ValueError"


class OdooTypeError(EmulatedError):
    name = "builtins.TypeError"


class OdooAttributeError(EmulatedError):
    name = "builtins.AttributeError"


class DatabaseMissing(EmulatedError):
    """What /jsonrpc leaks when the database named in the call does not exist."""

    name = "psycopg2.OperationalError"

    def __init__(self, db: str) -> None:
        super().__init__(
            'connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
            f'database "{db}" does not exist\n'
        )


class SessionExpired(EmulatedError):
    name = "odoo.http.SessionExpiredException"

    def __init__(self) -> None:
        super().__init__("Session expired")


MANDATORY_FIELD_TEXT = (
    "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
    "- Delete: another model requires the record being deleted. If possible, archive it "
    "instead.\n\nModel: {description} ({model})\nField: {label} ({field})\n"
)

FOREIGN_KEY_TEXT = (
    "The operation cannot be completed: another model requires the record being deleted. "
    "If possible, archive it instead.\n\nModel: {description} ({model})\nConstraint: {constraint}"
)
