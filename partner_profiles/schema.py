"""The partner profile schema: everything the gateway needs to know about one trading partner.

Field-level checks live here (types, allowed values, id and reference syntax); rules that
compare fields with each other are in `partner_profiles.rules`, so that each can point at
the field a person has to change."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from translators.core.overlay import Overlay
from translators.maps.context import MapContext

# --- small value types with plain-language errors ------------------------------------------

_DURATION_PART = re.compile(r"(\d+)\s*(d|h|m|s)")
_DURATION = re.compile(r"^\s*(\d+\s*[dhms]\s*)+$")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def _parse_duration(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str) and _DURATION.match(value):
        seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(value))
        return timedelta(seconds=seconds)
    raise PydanticCustomError(
        "duration",
        "'{value}' is not a duration",
        {"value": value, "allowed": "a number with a unit: 30s, 15m, 4h, 1d, or 1h30m"},
    )


def format_duration(value: timedelta) -> str:
    """The shortest spelling that `_parse_duration` reads back, e.g. '1h30m'."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    out = ""
    for unit, size in _UNIT_SECONDS.items():
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out


Duration = Annotated[
    timedelta,
    BeforeValidator(_parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(\d+\s*[dhms]\s*)+$",
            "examples": ["30s", "15m", "4h", "1d", "1h30m"],
        }
    ),
]

_REFERENCE = re.compile(r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:\S+)$")
REFERENCE_SYNTAX = "env:NAME (an environment variable) or file:PATH (a file on the gateway host)"


def _check_reference(value: str) -> str:
    if not _REFERENCE.match(value):
        raise PydanticCustomError(
            "secret_reference",
            "must say where the secret or certificate is kept, never the value itself",
            {"allowed": REFERENCE_SYNTAX},
        )
    return value


# A secret or certificate is named, never written into a profile; partner_profiles never
# reads it (the transports resolve it at the moment they need it).
Reference = Annotated[
    str,
    AfterValidator(_check_reference),
    WithJsonSchema({"type": "string", "pattern": _REFERENCE.pattern}),
]


def _pattern(regex: str, what: str, allowed: str) -> Any:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise PydanticCustomError(
                "format",
                "'{value}' is not {what}",
                {"value": value, "what": what, "allowed": allowed},
            )
        return value

    return AfterValidator(check)


PartnerId = Annotated[
    str,
    _pattern(
        r"^[a-z0-9][a-z0-9-]{1,62}$",
        "a valid partner id",
        "lower-case letters, digits and '-', 2 to 63 characters, e.g. acme-ltl",
    ),
    WithJsonSchema({"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{1,62}$"}),
]
ElementRef = Annotated[
    str,
    _pattern(
        r"^[A-Z][A-Z0-9]{1,2}-\d{2}(-\d{1,2})?$",
        "an element reference",
        "SEGMENT-NN or SEGMENT-NN-C, e.g. B10-01, AT7-01, STS-02-1",
    ),
    WithJsonSchema({"type": "string", "pattern": r"^[A-Z][A-Z0-9]{1,2}-\d{2}(-\d{1,2})?$"}),
]
SegmentOrElementRef = Annotated[
    str,
    _pattern(
        r"^[A-Z][A-Z0-9]{1,2}(-\d{2}(-\d{1,2})?)?$",
        "a segment or element reference",
        "a segment tag (N1) or SEGMENT-NN / SEGMENT-NN-C, e.g. B10-02, AT7-01, STS-02-1",
    ),
    WithJsonSchema({"type": "string", "pattern": r"^[A-Z][A-Z0-9]{1,2}(-\d{2}(-\d{1,2})?)?$"}),
]
Name = Annotated[
    str,
    _pattern(
        r"^[a-z][a-z0-9_]*$",
        "a valid name",
        "lower-case letters, digits and '_', starting with a letter, e.g. line_haul",
    ),
    WithJsonSchema({"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"}),
]

Status = Literal["draft", "testing", "active", "suspended"]
Standard = Literal["x12", "edifact"]
AckType = Literal["997", "999", "CONTRL", "none"]
Queue = Literal["realtime", "finance"]

# Standard-specific vocabularies, checked by partner_profiles.rules with messages that say
# which standard allows what.
X12_VERSIONS = ("004010", "004030", "005010")
EDIFACT_VERSIONS = ("D96A", "D97B", "D00B", "D01B")
MESSAGE_TYPES: dict[str, tuple[str, ...]] = {
    "x12": ("204", "210", "214", "990"),
    "edifact": ("IFTMIN", "IFTSTA", "INVOIC", "APERAK"),
}
# The elements whose codes the partner's code tables translate: (status, charge) per standard.
CODE_TABLE_ELEMENTS = {"x12": ("AT7-01", "L1-08"), "edifact": ("STS-02-1", "ALC-05-1")}
INVOICE_TYPES = frozenset({"210", "INVOIC"})
TENDER_TYPES = frozenset({"204", "IFTMIN"})


class _Model(BaseModel):
    # Unknown keys are typos until proven otherwise; profiles are immutable once loaded.
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- envelope ------------------------------------------------------------------------------


class Party(_Model):
    """One side's envelope ids. X12 uses the ISA and GS fields, EDIFACT the UNB fields."""

    isa_qualifier: str | None = Field(
        default=None,
        description="X12 ISA-05 (theirs) / ISA-07 (ours): 01 DUNS, 02 SCAC, 08 UCC, 12 phone, "
        "14 DUNS+suffix, 16 DUNS+4, ZZ mutually defined",
    )
    isa_id: str | None = Field(
        default=None, description="X12 ISA-06 / ISA-08, up to 15 characters (unpadded here)"
    )
    gs_id: str | None = Field(
        default=None, description="X12 GS-02 (theirs) / GS-03 (ours), 2 to 15 characters"
    )
    unb_qualifier: str | None = Field(
        default=None,
        description="EDIFACT UNB S002/S003 qualifier 0007: 14 GLN, 1 DUNS, ZZZ mutually defined",
    )
    unb_id: str | None = Field(
        default=None, description="EDIFACT UNB S002 0004 (theirs) / S003 0010 (ours)"
    )


class Envelope(_Model):
    ours: Party = Field(description="the ids we send with and expect as receiver")
    theirs: Party = Field(description="the partner's ids: how its interchanges are recognised")


class Delimiters(_Model):
    """Characters for what we send; anything left out takes the standard's default."""

    element: str | None = Field(default=None, min_length=1, max_length=1)
    component: str | None = Field(default=None, min_length=1, max_length=1)
    segment: str | None = Field(default=None, min_length=1, max_length=1)
    repetition: str | None = Field(
        default=None, min_length=1, max_length=1, description="X12 005010 ISA-11"
    )
    release: str | None = Field(
        default=None, min_length=1, max_length=1, description="EDIFACT release character"
    )
    decimal: Literal[".", ","] | None = Field(default=None, description="EDIFACT decimal mark")

    def effective(self, standard: str) -> dict[str, str]:
        """The delimiters with the standard's defaults filled in."""
        defaults = (
            {"element": "*", "component": ">", "segment": "~", "repetition": "^"}
            if standard == "x12"
            else {"element": "+", "component": ":", "segment": "'", "release": "?", "decimal": "."}
        )
        given = {k: v for k, v in self.model_dump().items() if v is not None}
        return defaults | given


class Outbound(_Model):
    delimiters: Delimiters = Field(default_factory=Delimiters)
    usage: Literal["test", "production"] = Field(
        default="production",
        description="ISA-15 P/T or UNB 0035; inbound interchanges are expected to carry the same",
    )
    newline_after_segment: bool = Field(
        default=False, description="write a line break after each segment terminator"
    )


class MessageFlows(_Model):
    inbound: list[str] = Field(default_factory=list, description="types the partner sends us")
    outbound: list[str] = Field(default_factory=list, description="types we send the partner")


class Acknowledgements(_Model):
    send: AckType = Field(
        default="none", description="what we answer each inbound group/interchange with"
    )
    send_ta1: Literal["never", "when_requested", "on_error"] = Field(
        default="when_requested", description="X12 TA1 for inbound interchanges"
    )
    request_ta1: bool = Field(default=False, description="X12 ISA-14 on what we send")
    expect: AckType = Field(default="none", description="what the partner answers us with")
    expect_within: Duration | None = Field(
        default=None, description="after this, an outbound interchange without its ack is overdue"
    )


# --- transports ----------------------------------------------------------------------------


class As2Mdn(_Model):
    mode: Literal["sync", "async"] = "sync"
    signed: bool = True
    async_url: str | None = Field(
        default=None, description="where the partner posts asynchronous MDNs (our URL)"
    )


class As2(_Model):
    our_as2_id: str = Field(min_length=1, max_length=128)
    their_as2_id: str = Field(min_length=1, max_length=128)
    url: Annotated[
        str,
        _pattern(r"^https?://\S+$", "a web address", "http://... or https://..."),
        WithJsonSchema({"type": "string", "pattern": r"^https?://\S+$"}),
    ] = Field(description="the partner's AS2 endpoint")
    our_key: Reference | None = Field(default=None, description="our private key (signing)")
    our_certificate: Reference | None = Field(default=None, description="our certificate")
    their_certificates: list[Reference] = Field(
        default_factory=list,
        max_length=2,
        description="partner certificates (two while a certificate is being rolled over)",
    )
    sign: bool = True
    signing_algorithm: Literal["sha1", "sha256", "sha384", "sha512"] = "sha256"
    encrypt: bool = True
    encryption_algorithm: Literal[
        "tripledes_cbc",
        "aes128_cbc",
        "aes192_cbc",
        "aes256_cbc",
        "aes128_gcm",
        "aes192_gcm",
        "aes256_gcm",
    ] = "aes256_cbc"
    key_transport: Literal["rsa_pkcs1v15", "rsa_oaep_sha1", "rsa_oaep_sha256"] = Field(
        default="rsa_pkcs1v15",
        description="how the content key is wrapped for the partner's certificate (OAEP "
        "where the partner's product offers it)",
    )
    compress: bool = False
    binary_signing: bool = Field(default=False, description="sign the payload as binary")
    mdn: As2Mdn = Field(default_factory=As2Mdn)
    max_message_bytes: int = Field(default=100 * 1024 * 1024, gt=0)


_SSH_PUBLIC_KEY = r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) AAAA[A-Za-z0-9+/=]+( .*)?$"


class SftpMailbox(_Model):
    """A mailbox on the gateway's own SFTP server: the partner logs in and drops files."""

    username: Annotated[
        str,
        _pattern(
            r"^[a-z_][a-z0-9_.-]{0,31}$",
            "a valid login name",
            "lower-case letters, digits, '_', '.', '-', up to 32 characters",
        ),
        WithJsonSchema({"type": "string", "pattern": r"^[a-z_][a-z0-9_.-]{0,31}$"}),
    ]
    public_keys: list[
        Annotated[
            str,
            _pattern(
                _SSH_PUBLIC_KEY,
                "an SSH public key",
                "one line as in authorized_keys: ssh-ed25519 AAAA... comment",
            ),
            WithJsonSchema({"type": "string", "pattern": _SSH_PUBLIC_KEY}),
        ]
    ] = Field(min_length=1, description="key-only login: the partner's public keys")
    max_file_bytes: int = Field(default=100 * 1024 * 1024, gt=0)


class SftpRemote(_Model):
    """The partner's SFTP server, which we poll."""

    host: str = Field(min_length=1)
    port: int = Field(default=22, ge=1, le=65535)
    username: str = Field(min_length=1)
    private_key: Reference = Field(description="our SSH private key")
    passphrase: Reference | None = None
    host_key: str | None = Field(
        default=None,
        description="the server's key, pinned: 'ssh-ed25519 AAAA...' or 'SHA256:...' fingerprint",
    )
    learn_host_key: bool = Field(
        default=False, description="trust the first key seen (only while testing)"
    )
    pickup_dir: str = Field(min_length=1, description="where the partner leaves files for us")
    drop_dir: str = Field(min_length=1, description="where we leave files for the partner")
    archive_dir: str | None = Field(default=None, description="where read files are moved")
    file_pattern: str = "*"
    poll_interval: Duration = Field(default=timedelta(minutes=5))
    after_read: Literal["move", "delete"] = "move"


class Transports(_Model):
    as2: As2 | None = None
    sftp_mailbox: SftpMailbox | None = None
    sftp_remote: SftpRemote | None = None
    send_via: Literal["as2", "sftp_mailbox", "sftp_remote"] | None = Field(
        default=None, description="which transport carries what we send (needed when several)"
    )

    def configured(self) -> list[str]:
        return [n for n in ("as2", "sftp_mailbox", "sftp_remote") if getattr(self, n) is not None]

    def outbound_transport(self) -> str | None:
        configured = self.configured()
        return self.send_via or (configured[0] if len(configured) == 1 else None)


# --- service levels, money, codes, Odoo ----------------------------------------------------


class RetryPolicy(_Model):
    max_attempts: int = Field(default=8, ge=1, le=100)
    first_delay: Duration = Field(default=timedelta(minutes=1))
    max_delay: Duration = Field(default=timedelta(hours=1))
    multiplier: float = Field(default=2.0, ge=1.0, le=10.0)


class Sla(_Model):
    post_within: Duration = Field(description="post into Odoo within this time of receipt")
    queue: Queue = "realtime"
    batch_window: Duration | None = Field(
        default=None, description="invoices only: collect for this long, then post together"
    )
    retry: RetryPolicy = Field(default_factory=RetryPolicy)


class Tolerance(_Model):
    absolute: Decimal = Field(default=Decimal("0"), ge=0, description="in invoice currency")
    percent: Decimal = Field(default=Decimal("0"), ge=0, le=100)


class Invoices(_Model):
    tolerance: Tolerance = Field(default_factory=Tolerance)
    auto_post: bool = Field(
        default=False, description="post bills within tolerance; otherwise leave them draft"
    )
    allowed_accessorials: list[Name] = Field(
        default_factory=list,
        description="accessorial charge classes accepted on a bill without having been expected",
    )
    currency: Annotated[
        str,
        _pattern(r"^[A-Z]{3}$", "a currency code", "three capital letters, e.g. USD, EUR"),
        WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$"}),
    ] = "USD"
    landed_cost: bool = Field(default=False, description="book freight on receipts as landed cost")


class CodeTables(_Model):
    status: dict[str, Name] = Field(
        default_factory=dict, description="partner status code (AT7-01, STS) -> milestone"
    )
    charges: dict[str, Name] = Field(
        default_factory=dict, description="partner charge code (L1-08, ALC) -> charge class"
    )


class ReferenceRule(_Model):
    reference: Name = Field(description="canonical reference kind: bol, pro, po, shipment_id...")
    odoo_field: Annotated[
        str,
        _pattern(r"^[a-z_][a-z0-9_.]*$", "an Odoo field name", "e.g. name, origin"),
        WithJsonSchema({"type": "string", "pattern": r"^[a-z_][a-z0-9_.]*$"}),
    ] = Field(default="name", description="stock.picking field compared with it")


class OdooMapping(_Model):
    vendor_ref: str | None = Field(
        default=None, description="the carrier's res.partner (its ref) that bills are made out to"
    )
    journal: str | None = Field(default=None, description="purchase journal code for bills")
    charge_products: dict[Name, str] = Field(
        default_factory=dict, description="charge class -> product (default code) on bill lines"
    )
    fallback_product: str | None = Field(
        default=None, description="product for a charge class without its own product"
    )
    carrier: str | None = Field(
        default=None, description="delivery.carrier whose pickings are tendered to this partner"
    )
    status_message: Literal["note", "comment"] = Field(
        default="note", description="note (internal) or comment (e-mails followers)"
    )
    validate_picking_on_delivery: bool = False


class ValidationOverlay(_Model):
    required: list[SegmentOrElementRef] = Field(default_factory=list)
    restricted_codes: dict[ElementRef, list[str]] = Field(default_factory=dict)
    extra_codes: dict[ElementRef, list[str]] = Field(default_factory=dict)
    tolerated: list[Name] = Field(
        default_factory=list, description="engine issue codes reported as warnings"
    )
    allow_unenveloped: bool = False


# --- the profile ---------------------------------------------------------------------------


class PartnerProfile(_Model):
    """One trading partner. One YAML file per partner, named after its id."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="edigw partner profile",
        json_schema_extra={"$id": "https://edigw.example/partner-profile.schema.json"},
    )

    id: PartnerId
    name: str = Field(min_length=1, max_length=200)
    status: Status = "draft"
    standard: Standard
    version: str = Field(description="X12: 004010, 004030, 005010; EDIFACT: D96A, D01B, ...")
    envelope: Envelope
    outbound: Outbound = Field(default_factory=Outbound)
    messages: MessageFlows = Field(default_factory=MessageFlows)
    acknowledgements: Acknowledgements = Field(default_factory=Acknowledgements)
    transports: Transports = Field(default_factory=Transports)
    sla: dict[str, Sla] = Field(default_factory=dict, description="per inbound message type")
    invoices: Invoices = Field(default_factory=Invoices)
    code_tables: CodeTables = Field(default_factory=CodeTables)
    reference_rules: list[ReferenceRule] = Field(default_factory=list)
    odoo: OdooMapping = Field(default_factory=OdooMapping)
    validation: ValidationOverlay = Field(default_factory=ValidationOverlay)
    notes: str | None = None

    def overlay(self) -> Overlay:
        """The validation overlay the engines apply after the guide. Codes the partner's
        code tables translate are accepted by validation too: a private status code mapped
        to a milestone must not be rejected as an invalid code first."""
        v = self.validation
        extra: dict[str, set[str]] = {ref: set(codes) for ref, codes in v.extra_codes.items()}
        status_ref, charge_ref = CODE_TABLE_ELEMENTS[self.standard]
        if self.code_tables.status:
            extra.setdefault(status_ref, set()).update(self.code_tables.status)
        if self.code_tables.charges:
            extra.setdefault(charge_ref, set()).update(self.code_tables.charges)
        return Overlay(
            required=frozenset(v.required),
            restricted_codes={ref: frozenset(codes) for ref, codes in v.restricted_codes.items()},
            extra_codes={ref: frozenset(codes) for ref, codes in extra.items()},
            tolerated=frozenset(v.tolerated),
            allow_unenveloped=v.allow_unenveloped,
        )

    def map_context(self) -> MapContext:
        """What the canonical maps are told about this partner (its code tables first)."""
        return MapContext(
            partner=self.id,
            status_codes=dict(self.code_tables.status),
            charge_codes=dict(self.code_tables.charges),
            default_currency=self.invoices.currency,
        )

    def envelope_keys(self) -> list[tuple[str, ...]]:
        """The sender ids this profile claims, as used by resolution and the uniqueness rule."""
        t = self.envelope.theirs
        if self.standard == "x12":
            return [("x12", t.isa_qualifier or "", (t.isa_id or "").upper(), t.gs_id or "")]
        return [("edifact", t.unb_qualifier or "", (t.unb_id or "").upper())]

    def describe_envelope(self) -> str:
        t = self.envelope.theirs
        if self.standard == "x12":
            return f"ISA {t.isa_qualifier}/{t.isa_id}, GS {t.gs_id}"
        qualifier = f"{t.unb_qualifier}:" if t.unb_qualifier else ""
        return f"UNB {qualifier}{t.unb_id}"

    @property
    def inbound_types(self) -> frozenset[str]:
        return frozenset(self.messages.inbound)

    @property
    def outbound_types(self) -> frozenset[str]:
        return frozenset(self.messages.outbound)
