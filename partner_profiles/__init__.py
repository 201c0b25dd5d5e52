"""Partner profiles: the schema, loading from YAML files, validation and resolution of
everything the gateway knows about one trading partner.

    load_folder(path) -> FolderLoad        every file; bad ones listed, never raised
    load_file(path) -> LoadedProfile       one file (raises ProfileError)
    parse_profile(text) -> LoadedProfile   one profile from text (raises ProfileError)
    ProfileIndex(profiles).resolve(...)    the partner of an inbound interchange
    PartnerProfile.overlay()               the engines' validation overlay
    json_schema()                          the JSON Schema of a profile file

Versioning and hot reload touch the database, so they live in `gateway.profiles`."""

from typing import Any

from partner_profiles.errors import (
    AmbiguousPartnerError,
    PartnerResolutionError,
    ProfileError,
    ProfileProblem,
    UnknownPartnerError,
)
from partner_profiles.loading import (
    FolderLoad,
    LoadedProfile,
    content_hash,
    cross_check,
    load_file,
    load_folder,
    parse_profile,
    profile_files,
)
from partner_profiles.resolution import ProfileIndex
from partner_profiles.schema import PartnerProfile, format_duration


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a profile file (docs/partner-profile.schema.json)."""
    return PartnerProfile.model_json_schema(mode="validation")


__all__ = [
    "AmbiguousPartnerError",
    "FolderLoad",
    "LoadedProfile",
    "PartnerProfile",
    "PartnerResolutionError",
    "ProfileError",
    "ProfileIndex",
    "ProfileProblem",
    "UnknownPartnerError",
    "content_hash",
    "cross_check",
    "format_duration",
    "json_schema",
    "load_file",
    "load_folder",
    "parse_profile",
    "profile_files",
]
