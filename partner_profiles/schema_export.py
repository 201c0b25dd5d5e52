"""Write the JSON Schema of a profile file: `python -m partner_profiles.schema_export [PATH]`
(default docs/partner-profile.schema.json). A unit test keeps the committed copy current."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from partner_profiles import json_schema

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "partner-profile.schema.json"


def render() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_PATH
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
