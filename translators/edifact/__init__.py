"""The EDIFACT engine: a streaming tokenizer (UNA, release characters, repertoires), envelope
checks with CONTRL syntax error codes, guide-driven validation, a writer, and CONTRL/APERAK
acknowledgements, all in the shared shapes of `translators.core`."""

from translators.edifact.acks import (
    acknowledge,
    build_contrl,
    contrl_body,
    parse_acknowledgements,
    parse_aperak,
    parse_contrl,
)
from translators.edifact.analyse import (
    ValidatedMessage,
    analyse,
    validate_message,
    validate_stream,
)
from translators.edifact.envelope import (
    EnvelopeReader,
    GroupHeader,
    InterchangeHeader,
    ParsedMessage,
    iter_messages,
)
from translators.edifact.syntax import DEFAULT, Delimiters, parse_una
from translators.edifact.tokenizer import Tokenizer
from translators.edifact.writer import (
    OutboundGroup,
    OutboundMessage,
    WriterError,
    render_segments,
    write,
)

__all__ = [
    "DEFAULT",
    "Delimiters",
    "EnvelopeReader",
    "GroupHeader",
    "InterchangeHeader",
    "OutboundGroup",
    "OutboundMessage",
    "ParsedMessage",
    "Tokenizer",
    "ValidatedMessage",
    "WriterError",
    "acknowledge",
    "analyse",
    "build_contrl",
    "contrl_body",
    "iter_messages",
    "parse_acknowledgements",
    "parse_aperak",
    "parse_contrl",
    "parse_una",
    "render_segments",
    "validate_message",
    "validate_stream",
    "write",
]
