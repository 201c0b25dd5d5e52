"""Reading profile YAML files into `PartnerProfile`s, with every problem tied to a file line.

Scalars are read as text (only `~`/`null`/empty mean "nothing"): YAML 1.1 would turn an
unquoted `version: 004010` into the octal number 2056 and `isa_qualifier: 02` into 2, which
no reviewer would spot. The schema converts text to numbers and booleans where a field is one."""

from __future__ import annotations

import difflib
import hashlib
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from partner_profiles.errors import ProfileError, ProfileProblem
from partner_profiles.rules import Finding, check_folder, check_profile
from partner_profiles.schema import PartnerProfile

PROFILE_SUFFIXES = (".yaml", ".yml")

FieldPath = tuple[str | int, ...]
_NULL_TAG = "tag:yaml.org,2002:null"


class _TextLoader(yaml.SafeLoader):
    """SafeLoader that resolves plain scalars to text or null only."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag == _NULL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class LoadedProfile:
    """A valid profile with the text it came from, for versioning and error lines."""

    profile: PartnerProfile
    text: str
    content_hash: str
    path: Path | None = None
    lines: dict[FieldPath, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.profile.id

    def line_of(self, path: FieldPath) -> int | None:
        return _line_for(self.lines, path)


@dataclass
class FolderLoad:
    """The result of reading a folder: the valid profiles and the problems of the others."""

    folder: Path
    profiles: dict[str, LoadedProfile] = field(default_factory=dict)
    problems: dict[Path, list[ProfileProblem]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def all_problems(self) -> list[ProfileProblem]:
        return [p for problems in self.problems.values() for p in problems]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- YAML to plain data, remembering lines ---------------------------------------------------


class _YamlProblem(Exception):
    def __init__(self, line: int | None, field: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.field = field
        self.message = message


def _to_data(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == _NULL_TAG else str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(item, (*path, i), lines) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _YamlProblem(
                    key_node.start_mark.line + 1, _dotted(path), "a field name must be plain text"
                )
            key = str(key_node.value)
            if key in out:
                raise _YamlProblem(
                    key_node.start_mark.line + 1,
                    _dotted((*path, key)),
                    f"'{key}' appears twice here; keep one",
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _to_data(value_node, (*path, key), lines)
        return out
    raise _YamlProblem(node.start_mark.line + 1, _dotted(path), "unsupported YAML construct")


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _line_for(lines: dict[FieldPath, int], path: Sequence[str | int]) -> int | None:
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None


def _plain_yaml_reason(reason: str) -> str:
    """PyYAML's parser words, translated for people who do not write parsers."""
    if "'\\t'" in reason or "\\t" in reason:
        return "a tab is used for indentation; YAML needs spaces"
    if "block end" in reason or "block mapping" in reason or "block collection" in reason:
        return "the indentation of this line does not line up with the lines around it"
    if "mapping values are not allowed" in reason:
        return "a ':' where no field name is expected (put quotes around text holding ': ')"
    if "found unexpected end of stream" in reason or "found undefined alias" in reason:
        return reason
    if "quoted scalar" in reason:
        return "a quote is opened but never closed"
    return reason


# --- pydantic errors in plain words ----------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """The model class a field leads to through Optional / list / dict, if any."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _unwrap(arg)
            if found is not None:
                return found
        return None
    if origin in (list, dict):
        return _unwrap(typing.get_args(annotation)[-1])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _model_at(path: Sequence[str | int]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = PartnerProfile
    for part in path:
        if model is None:
            return None
        if isinstance(part, int) or part not in model.model_fields:
            continue  # a list index or a dict key: same model as the container's items
        model = _unwrap(model.model_fields[part].annotation)
    return model


def _describe(err: ErrorDetails, path: FieldPath) -> tuple[str, str | None]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    shown = f"'{value}'" if isinstance(value, str) else "this value"
    if kind == "missing":
        return "is required but missing", None
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        known = sorted(model.model_fields) if model else []
        name = str(path[-1]) if path else ""
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"'{name}' is not a field here{hint}", ", ".join(known) or None
    if kind == "literal_error":
        return f"{shown} is not allowed", str(ctx.get("expected", "")) or None
    if kind in ("duration", "format", "secret_reference"):
        return err["msg"], str(ctx.get("allowed")) if ctx.get("allowed") else None
    if kind == "bool_parsing":
        return f"{shown} is not yes or no", "true or false"
    if kind in ("int_parsing", "int_from_float"):
        return f"{shown} is not a whole number", "digits, e.g. 22"
    if kind in ("decimal_parsing", "float_parsing", "decimal_type"):
        return f"{shown} is not a number", "e.g. 50.00"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "should be a group of fields (indented 'name: value' lines)", None
    if kind == "list_type":
        return "should be a list (one '- item' per line)", None
    if kind == "string_type":
        return "should be text", None
    if kind == "string_too_short":
        return "is too short", f"at least {ctx.get('min_length')} character(s)"
    if kind == "string_too_long":
        return "is too long", f"at most {ctx.get('max_length')} character(s)"
    if kind == "too_short":
        return "needs more entries", f"at least {ctx.get('min_length')}"
    if kind == "too_long":
        return "has too many entries", f"at most {ctx.get('max_length')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{shown if value is not None else 'the value'} is out of range", err["msg"].replace(
            "Input should be ", ""
        )
    return err["msg"], None


def _schema_problems(
    exc: ValidationError, file: str, lines: dict[FieldPath, int]
) -> list[ProfileProblem]:
    problems = []
    for err in exc.errors():
        # '[key]' marks a dict key that failed its own check; the key is the field then
        path: FieldPath = tuple(p for p in err["loc"] if p != "[key]")
        message, allowed = _describe(err, path)
        problems.append(
            ProfileProblem(file, _line_for(lines, path), _dotted(path), message, allowed)
        )
    return problems


def _finding_problem(
    finding: Finding, file: str, lines: dict[FieldPath, int], **fmt: str
) -> ProfileProblem:
    message = finding.message.replace("{other}", fmt.get("other", ""))
    return ProfileProblem(
        file,
        _line_for(lines, finding.path),
        _dotted(finding.path),
        message,
        finding.allowed,
        finding.rule,
    )


# --- public loaders --------------------------------------------------------------------------


def parse_profile(
    data: bytes | str, *, file: str = "<text>", expected_id: str | None = None
) -> LoadedProfile:
    """One profile from YAML text, checked against the schema and the cross-field rules.

    `expected_id` is the id the file name promises; a different `id:` is a problem.
    Raises `ProfileError` listing every problem found."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileError(
            [
                ProfileProblem(
                    file, None, "", f"is not UTF-8 text (byte {exc.start})", "UTF-8", "yaml"
                )
            ]
        ) from None
    lines: dict[FieldPath, int] = {}
    try:
        node = yaml.compose(text, Loader=_TextLoader)
        tree = _to_data(node, (), lines) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = _plain_yaml_reason(exc.problem or exc.context or "cannot be read")
        raise ProfileError(
            [
                ProfileProblem(
                    file,
                    mark.line + 1 if mark else None,
                    "",
                    f"is not valid YAML: {reason}",
                    "check indentation, colons and quotes on this line",
                    "yaml",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise ProfileError(
            [ProfileProblem(file, None, "", f"is not valid YAML: {exc}", None, "yaml")]
        ) from None
    except _YamlProblem as exc:
        raise ProfileError(
            [ProfileProblem(file, exc.line, exc.field, exc.message, None, "yaml")]
        ) from None
    if not isinstance(tree, dict):
        raise ProfileError(
            [
                ProfileProblem(
                    file, 1, "", "should hold one partner profile (id:, name:, ...)", None, "yaml"
                )
            ]
        )
    try:
        profile = PartnerProfile.model_validate(tree)
    except ValidationError as exc:
        raise ProfileError(_schema_problems(exc, file, lines)) from None
    problems = [_finding_problem(f, file, lines) for f in check_profile(profile)]
    if expected_id is not None and profile.id != expected_id:
        problems.insert(
            0,
            ProfileProblem(
                file,
                _line_for(lines, ("id",)),
                "id",
                f"is '{profile.id}' but the file is named '{expected_id}'; one file per partner,"
                " named after its id",
                f"id: {expected_id}, or rename the file to {profile.id}.yaml",
                "file_name",
            ),
        )
    if problems:
        raise ProfileError(problems)
    return LoadedProfile(profile, text, content_hash(raw), None, lines)


def load_file(path: Path | str) -> LoadedProfile:
    """One profile file; its name (without .yaml) must be the profile's id."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(
            [ProfileProblem(str(path), None, "", f"cannot be read: {exc.strerror}", None, "file")]
        ) from None
    loaded = parse_profile(raw, file=str(path), expected_id=path.stem)
    return LoadedProfile(loaded.profile, loaded.text, loaded.content_hash, path, loaded.lines)


def profile_files(folder: Path | str) -> list[Path]:
    """The profile files of a folder, in name order (hidden and backup files skipped)."""
    folder = Path(folder)
    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.suffix in PROFILE_SUFFIXES and p.is_file() and not p.name.startswith((".", "#"))
        ),
        key=lambda p: (p.stem, p.suffix),
    )


# Which profile keeps envelope ids that two files claim: a live partner before one being
# set up, so a new draft copied from an example can never take a working partner down.
STATUS_PRIORITY = {"active": 0, "testing": 1, "suspended": 2, "draft": 3}


def claim_order(profiles: Iterable[LoadedProfile]) -> list[LoadedProfile]:
    return sorted(profiles, key=lambda p: (STATUS_PRIORITY[p.profile.status], p.id))


def cross_check(loaded: Iterable[LoadedProfile]) -> dict[str, list[ProfileProblem]]:
    """Problems between profiles, by the id of the profile that must change (earlier ones in
    the given order keep their claim)."""
    items = list(loaded)
    by_id = {item.id: item for item in items}
    out: dict[str, list[ProfileProblem]] = {}
    for clash in check_folder([item.profile for item in items]):
        item = by_id[clash.profile_id]
        file = str(item.path) if item.path else "<text>"
        out.setdefault(clash.profile_id, []).append(
            _finding_problem(clash.finding, file, item.lines, other=clash.other_id)
        )
    return out


def load_folder(folder: Path | str) -> FolderLoad:
    """Every profile file of a folder. Never raises for a bad profile: a file with problems
    is left out of `profiles` and its problems are listed, so one bad file does not stop the
    others. Of two profiles claiming the same ids, the one first in `claim_order` (active
    before testing before draft, then by id) keeps them and the other is left out."""
    folder = Path(folder)
    result = FolderLoad(folder)
    if not folder.is_dir():
        result.problems[folder] = [
            ProfileProblem(str(folder), None, "", "is not a folder of profiles", None, "file")
        ]
        return result
    loaded: list[LoadedProfile] = []
    seen_ids: dict[str, Path] = {}
    for path in profile_files(folder):
        try:
            item = load_file(path)
        except ProfileError as exc:
            result.problems[path] = exc.problems
            continue
        if item.id in seen_ids:
            result.problems[path] = [
                ProfileProblem(
                    str(path), item.line_of(("id",)), "id",
                    f"partner '{item.id}' already has a file: {seen_ids[item.id].name}",
                    "one file per partner", "file_name",
                )
            ]  # fmt: skip
            continue
        seen_ids[item.id] = path
        loaded.append(item)
    clashes = cross_check(claim_order(loaded))
    for item in loaded:
        if item.id in clashes:
            assert item.path is not None
            result.problems[item.path] = clashes[item.id]
        else:
            result.profiles[item.id] = item
    return result
