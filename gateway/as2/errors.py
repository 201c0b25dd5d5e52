"""The AS2 error hierarchy; each receive-side error knows the MDN disposition it produces.

As2Error
├── ReceiveError            (carries `modifier`, the RFC 4130 disposition modifier)
│   ├── UnknownPartner          processed/error: unknown-trading-partner
│   ├── InsufficientSecurity    processed/error: insufficient-message-security
│   ├── DecryptionFailed        processed/error: decryption-failed
│   ├── AuthenticationFailed    processed/error: authentication-failed
│   ├── IntegrityCheckFailed    processed/error: integrity-check-failed
│   ├── DecompressionFailed     processed/error: decompression-failed  (RFC 5402)
│   ├── MessageTooLarge         processed/error: unexpected-processing-error
│   └── MalformedMessage        processed/error: unexpected-processing-error
├── SendError               (the partner could not be reached or refused the message)
└── MdnError                (the returned MDN is unsigned when due, badly signed, has the
                             wrong MIC, reports a failure, or never came)
"""

from __future__ import annotations


class As2Error(Exception):
    """Base of every AS2 failure."""


class ReceiveError(As2Error):
    modifier = "unexpected-processing-error"


class UnknownPartner(ReceiveError):
    modifier = "unknown-trading-partner"


class InsufficientSecurity(ReceiveError):
    modifier = "insufficient-message-security"


class DecryptionFailed(ReceiveError):
    modifier = "decryption-failed"


class AuthenticationFailed(ReceiveError):
    modifier = "authentication-failed"


class IntegrityCheckFailed(ReceiveError):
    modifier = "integrity-check-failed"


class DecompressionFailed(ReceiveError):
    modifier = "decompression-failed"


class MessageTooLarge(ReceiveError):
    modifier = "unexpected-processing-error"


class MalformedMessage(ReceiveError):
    modifier = "unexpected-processing-error"


class SendError(As2Error):
    """The message could not be delivered (after retries)."""


class MdnError(As2Error):
    """The MDN does not prove delivery: bad signature, wrong or missing MIC, failure."""
