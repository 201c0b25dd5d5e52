"""EDIFACT service characters (UNA and its defaults) and character repertoires (UNOA..UNOY):
what the delimiters are, how the bytes decode, and which characters a declared level allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from translators.edifact.stream import TextMap

# Information separators that ISO 9735 names as defaults for levels B and up; seen only when
# the byte after "UNB" is IS3 (0x1D).
IS1, IS3, IS4 = "\x1f", "\x1d", "\x1c"
BOM = b"\xef\xbb\xbf"


class Delimiters(NamedTuple):
    """The service characters of one interchange. `release` None: no release character;
    `repetition` None: no repetition separator (syntax 1-3, or v4 with none declared).
    A named tuple of strings, so lexemes that refer to it stay out of the cyclic GC's way."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    repetition: str | None = None
    terminator: str = "'"

    def una(self) -> str:
        """The 9-character UNA service string advice for these delimiters."""
        terminator = "'" if self.terminator == "\n" else self.terminator
        return (
            f"UNA{self.component}{self.element}{self.decimal}"
            f"{self.release or ' '}{self.repetition or ' '}{terminator}"
        )

    def specials(self) -> frozenset[str]:
        """Characters that must be released when they occur in data."""
        chars = {self.component, self.element, self.terminator}
        for extra in (self.release, self.repetition):
            if extra:
                chars.add(extra)
        return frozenset(chars)

    def with_repetition(self, repetition: str | None) -> Delimiters:
        return self._replace(repetition=repetition)

    def is_default_for(self, syntax_version: str | None) -> bool:
        """True when these are the UNOA defaults for the version (so no UNA is needed)."""
        return self == default_delimiters(syntax_version)


DEFAULT = Delimiters()
DEFAULT_V4 = Delimiters(repetition="*")
INFORMATION_SEPARATORS = Delimiters(
    component=IS1, element=IS3, decimal=".", release=None, repetition=None, terminator=IS4
)


def default_delimiters(syntax_version: str | None) -> Delimiters:
    return DEFAULT_V4 if syntax_version == "4" else DEFAULT


@dataclass(frozen=True, slots=True)
class ServiceStringAdvice:
    """A parsed UNA: the delimiters it declares and what was wrong with it (0085 code 20)."""

    delimiters: Delimiters
    declared_repetition: str | None  # position 8 as written (only active under syntax 4)
    problem: str | None = None


def parse_una(una: str) -> ServiceStringAdvice:
    """Read a 9-character UNA verbatim (no release processing inside UNA, ISO 9735)."""
    if len(una) < 9 or not una.startswith("UNA"):
        return ServiceStringAdvice(DEFAULT, None, "UNA is shorter than 9 characters")
    component, element, decimal, release, repetition, terminator = tuple(una[3:9])
    problem = None
    mandatory = (component, element, terminator)
    if any(ch.isalnum() or ch in " \r\n" for ch in mandatory):
        problem = "a UNA separator is a letter, digit or blank"
    elif len(set(mandatory)) != 3:
        problem = "UNA separators are not distinct"
    elif release != " " and (release.isalnum() or release in mandatory):
        problem = "the UNA release character clashes with a separator"
    if problem:
        return ServiceStringAdvice(DEFAULT, None, problem)
    declared_repetition = None if repetition in (" ", *mandatory, release) else repetition
    return ServiceStringAdvice(
        Delimiters(
            component=component,
            element=element,
            decimal=decimal,
            release=None if release == " " else release,
            repetition=None,  # activated by the tokenizer once UNB says syntax 4
            terminator=terminator,
        ),
        declared_repetition,
    )


@dataclass(frozen=True, slots=True)
class Repertoire:
    """A syntax identifier (S001/0001): its codec and, for the 7-bit levels, the characters it
    admits besides the interchange's own service characters."""

    code: str
    codec: str
    allowed: bytes | None  # None: every byte the codec decodes is admissible
    single_byte: bool = True


_UNOA = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?"
_UNOB = _UNOA + b'abcdefghijklmnopqrstuvwxyz!"%&*;<>'
_LATIN = bytes(range(0x20, 0x7F)) + bytes(range(0xA0, 0x100))

REPERTOIRES: dict[str, Repertoire] = {
    "UNOA": Repertoire("UNOA", "ascii", _UNOA),
    "UNOB": Repertoire("UNOB", "ascii", _UNOB),
    "UNOC": Repertoire("UNOC", "latin-1", _LATIN),
    "UNOD": Repertoire("UNOD", "iso8859-2", _LATIN),
    "UNOE": Repertoire("UNOE", "iso8859-5", _LATIN),
    "UNOF": Repertoire("UNOF", "iso8859-7", _LATIN),
    "UNOG": Repertoire("UNOG", "iso8859-3", _LATIN),
    "UNOH": Repertoire("UNOH", "iso8859-4", _LATIN),
    "UNOI": Repertoire("UNOI", "iso8859-6", _LATIN),
    "UNOJ": Repertoire("UNOJ", "iso8859-8", _LATIN),
    "UNOK": Repertoire("UNOK", "iso8859-9", _LATIN),
    "UNOX": Repertoire("UNOX", "latin-1", None),  # ISO 2022 escapes: partner-specific
    "UNOY": Repertoire("UNOY", "utf-8", None, single_byte=False),
    "UNOW": Repertoire("UNOW", "utf-8", None, single_byte=False),
    "IATA": Repertoire("IATA", "ascii", _UNOA),
    "IATB": Repertoire("IATB", "ascii", _UNOB),
}

SYNTAX_VERSIONS = frozenset({"1", "2", "3", "4", "X"})


@dataclass(slots=True)
class DecodedPayload:
    """The input as text plus what it took to get there: the codec actually used, whether a
    BOM was dropped, and a map from text positions back to byte offsets."""

    text: str
    encoding: str
    bom: bool
    declared: str | None  # the first UNB's syntax identifier, upper-cased
    offsets: BlockOffsets


def declared_repertoire(head: bytes) -> str | None:
    """The syntax identifier of the first UNB in `head`, if one can be seen."""
    at = head.find(b"UNB")
    if at < 0 or len(head) < at + 8:
        return None
    return head[at + 4 : at + 8].decode("latin-1").upper()


def decode(data: bytes) -> DecodedPayload:
    """The whole input decoded at once, exactly as the engine reads it block by block
    (`translators.edifact.stream`): the BOM dropped, each run of non-ASCII bytes as UTF-8 when
    valid, else with the declared single-byte codec (surrogate escapes for undefined bytes).
    `encoding` is "utf-8" unless some run needed the single-byte codec."""
    from translators.edifact.stream import StreamDecoder, TextMap, decoded_blocks

    decoder = StreamDecoder()
    positions = TextMap(list(decoded_blocks(data, decoder)))
    text = positions.text(0, decoder.chars)
    encoding = decoder.codec if decoder.fallback_seen else "utf-8"
    return DecodedPayload(text, encoding, decoder.bom, decoder.declared, BlockOffsets(positions))


class BlockOffsets:
    """Text index -> byte offset in the original input, through the decoded blocks."""

    __slots__ = ("_positions",)

    def __init__(self, positions: TextMap) -> None:
        self._positions = positions

    def byte(self, index: int) -> int:
        return self._positions(index)[0]


def encode(text: str, codec: str) -> bytes:
    """Inverse of `decode` for one codec (surrogate escapes become their bytes again)."""
    return text.encode(codec, "surrogateescape")
