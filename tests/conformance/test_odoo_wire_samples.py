"""Replays every request recorded from a real Odoo 18 server (odoo18-wire-samples.jsonl)
against the emulator over HTTP and compares the answers' shapes: HTTP status, envelope keys,
value types, and error codes, names and messages. Ids and dates may differ."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.odoo.emulator import EmulatorHandle, serve
from gateway.odoo.emulator.models_base import registry
from tests.support import REPO_ROOT, unavailable

pytestmark = pytest.mark.conformance

ADMIN_PASSWORD = "capture-admin-pw"


def _samples_path() -> Path:
    default = REPO_ROOT.parent / "shared" / "reference" / "odoo18-wire-samples.jsonl"
    return Path(os.environ.get("EDIGW_ODOO_SAMPLES", default))


def _load_samples() -> list[dict[str, Any]]:
    path = _samples_path()
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


SAMPLES = _load_samples()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    # The capture was taken on a fresh database without demo data: the bare seed mirrors it.
    path = tmp_path_factory.mktemp("odoo") / "capture.sqlite3"
    handle = serve("127.0.0.1", 0, path, seed="bare", passwords={"admin": ADMIN_PASSWORD})
    yield handle
    handle.stop()


class IdMap:
    """Recorded id -> emulator id per model, learnt from `create` answers, applied to later
    requests through the fields' relations (ids may differ; the calls must still line up)."""

    def __init__(self) -> None:
        self.by_model: dict[str, dict[int, int]] = {}

    def learn(self, model: str, recorded: Any, actual: Any) -> None:
        if isinstance(recorded, int) and isinstance(actual, int):
            self.by_model.setdefault(model, {})[recorded] = actual
        elif isinstance(recorded, list) and isinstance(actual, list):
            for r, a in zip(recorded, actual, strict=False):
                self.learn(model, r, a)

    def one(self, model: str | None, value: Any) -> Any:
        if model and isinstance(value, int) and not isinstance(value, bool):
            return self.by_model.get(model, {}).get(value, value)
        if model and isinstance(value, list):
            return [self.one(model, v) for v in value]
        return value

    def vals(self, model: str, vals: dict[str, Any]) -> dict[str, Any]:
        fields = registry.models[model]._fields if model in registry.models else {}
        out = {}
        for key, value in vals.items():
            f = fields.get(key)
            if key == "res_id" and isinstance(vals.get("res_model"), str):
                out[key] = self.one(vals["res_model"], value)
            elif f is not None and f.type == "many2one":
                out[key] = self.one(f.relation, value)
            elif f is not None and f.type in ("one2many", "many2many") and isinstance(value, list):
                out[key] = [self.command(f.relation or "", c) for c in value]
            else:
                out[key] = value
        return out

    def command(self, comodel: str, command: Any) -> Any:
        if isinstance(command, list) and command:
            if command[0] == 0 and len(command) == 3 and isinstance(command[2], dict):
                return [0, 0, self.vals(comodel, command[2])]
            if command[0] == 6 and len(command) == 3:
                return [6, 0, self.one(comodel, command[2])]
            if command[0] in (1, 2, 3, 4):
                return [command[0], self.one(comodel, command[1]), *command[2:]]
        return command

    def domain(self, model: str, domain: Any) -> Any:
        if not isinstance(domain, list):
            return domain
        fields = registry.models[model]._fields if model in registry.models else {}
        target_model = next(
            (t[2] for t in domain if isinstance(t, list) and t[:2] == ["model", "="]), None
        )
        out = []
        for term in domain:
            if isinstance(term, list) and len(term) == 3 and isinstance(term[0], str):
                name = term[0]
                f = fields.get(name)
                if name == "id":
                    term = [name, term[1], self.one(model, term[2])]
                elif name == "res_id" and target_model:
                    term = [name, term[1], self.one(target_model, term[2])]
                elif f is not None and f.relation:
                    term = [name, term[1], self.one(f.relation, term[2])]
            out.append(term)
        return out


_MODEL_METHODS = {
    "create",
    "search",
    "search_read",
    "search_count",
    "fields_get",
    "default_get",
    "name_search",
    "load",
    "context_get",
    "check_object_reference",
}


def _rewrite(params: dict[str, Any], ids: IdMap, password: str) -> tuple[dict[str, Any], str]:
    """The recorded params with the password filled in and recorded ids mapped."""
    params = json.loads(json.dumps(params))
    if "password" in params:
        params["password"] = password
    if params.get("service") == "common" and params.get("method") in ("login", "authenticate"):
        params["args"][2] = password
    if params.get("service") != "object" or not params.get("args"):
        return params, ""
    args = params["args"]
    args[2] = password
    model, method = args[3], args[4]
    if params["method"] == "execute_kw" and len(args) > 5:
        positional = args[5]
        if method in ("search", "search_read", "search_count") and positional:
            positional[0] = ids.domain(model, positional[0])
        elif method == "create" and positional:
            first = positional[0]
            positional[0] = (
                ids.vals(model, first)
                if isinstance(first, dict)
                else [ids.vals(model, v) for v in first]
            )
        elif method not in _MODEL_METHODS and positional:
            positional[0] = ids.one(model, positional[0])
            if method == "write" and len(positional) > 1:
                positional[1] = ids.vals(model, positional[1])
    return params, model if method == "create" else ""


def _shape_errors(recorded: Any, actual: Any, path: str, trimmed: bool) -> list[str]:
    """Differences in structure and types; values only where they must be equal."""
    problems: list[str] = []
    if isinstance(recorded, bool) or isinstance(actual, bool):
        if type(recorded) is not type(actual):
            problems.append(
                f"{path}: type {type(actual).__name__}, recorded "
                f"{type(recorded).__name__} ({recorded!r})"
            )
        return problems
    if isinstance(recorded, (int, float)) and isinstance(actual, (int, float)):
        if type(recorded) is not type(actual):
            problems.append(
                f"{path}: number type {type(actual).__name__} ({actual!r}), "
                f"recorded {type(recorded).__name__} ({recorded!r})"
            )
        return problems
    if type(recorded) is not type(actual):
        problems.append(
            f"{path}: {type(actual).__name__} ({actual!r:.80}), recorded "
            f"{type(recorded).__name__} ({recorded!r:.80})"
        )
        return problems
    if isinstance(recorded, dict):
        missing = set(recorded) - set(actual)
        extra = set() if trimmed else set(actual) - set(recorded)
        if missing:
            problems.append(f"{path}: missing keys {sorted(missing)}")
        if extra:
            problems.append(f"{path}: unexpected keys {sorted(extra)}")
        for key in recorded:
            if key in actual:
                problems += _shape_errors(recorded[key], actual[key], f"{path}.{key}", trimmed)
    elif isinstance(recorded, list):
        if len(recorded) != len(actual):
            problems.append(f"{path}: {len(actual)} items, recorded {len(recorded)}")
        for index, (r, a) in enumerate(zip(recorded, actual, strict=False)):
            problems += _shape_errors(r, a, f"{path}[{index}]", trimmed)
    return problems


def _error_errors(recorded: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    problems = []
    if actual.get("code") != recorded.get("code") or actual.get("message") != recorded.get(
        "message"
    ):
        problems.append(
            f"error code/message {actual.get('code')}/{actual.get('message')!r}, "
            f"recorded {recorded.get('code')}/{recorded.get('message')!r}"
        )
    rdata, adata = recorded.get("data", {}), actual.get("data", {})
    for key in ("name", "message", "arguments"):
        if rdata.get(key) != adata.get(key):
            problems.append(f"error data.{key} {adata.get(key)!r}, recorded {rdata.get(key)!r}")
    return problems


def test_the_capture_is_present() -> None:
    if not SAMPLES:
        unavailable(
            f"Odoo wire samples not found at {_samples_path()}", required_by="EDIGW_REQUIRE_CORPUS"
        )
    assert len(SAMPLES) == 60


def test_replay_every_recorded_exchange(emulator: EmulatorHandle) -> None:
    if not SAMPLES:
        unavailable(
            f"Odoo wire samples not found at {_samples_path()}", required_by="EDIGW_REQUIRE_CORPUS"
        )
    ids = IdMap()
    failures: dict[str, list[str]] = {}
    with httpx.Client(base_url=emulator.url, timeout=10) as http:
        for number, sample in enumerate(SAMPLES):
            label = f"#{number} {sample['step']}"
            password = (
                "not-the-password" if "wrong_password" in sample["step"] else (ADMIN_PASSWORD)
            )
            request = dict(sample["request"])
            params, created_model = _rewrite(request.get("params", {}), ids, password)
            request["params"] = params
            response = http.post(
                sample["path"],
                json=request,
                headers={"Content-Type": sample["request_headers"]["Content-Type"]},
            )
            problems: list[str] = []
            if response.status_code != sample["status"]:
                problems.append(f"HTTP {response.status_code}, recorded {sample['status']}")
            recorded_type = sample["response_headers"].get("Content-Type")
            if response.headers.get("content-type") != recorded_type:
                problems.append(f"Content-Type {response.headers.get('content-type')!r}")
            if ("Set-Cookie" in sample["response_headers"]) != ("set-cookie" in response.headers):
                problems.append("Set-Cookie presence differs")
            body = response.json()
            recorded = sample["response"]
            if body.get("id") != recorded.get("id"):
                problems.append(f"id {body.get('id')!r} not echoed")
            if set(body) != set(recorded):
                problems.append(f"envelope keys {sorted(body)}, recorded {sorted(recorded)}")
            if "error" in recorded and "error" in body:
                problems += _error_errors(recorded["error"], body["error"])
                problems += _shape_errors(recorded["error"], body["error"], "error", False)
            elif "result" in recorded and "result" in body:
                problems += _shape_errors(
                    recorded["result"], body["result"], "result", bool(sample.get("trimmed"))
                )
                if created_model:
                    ids.learn(created_model, recorded["result"], body["result"])
            if problems:
                failures[label] = problems
    report = "\n".join(f"{label}:\n  " + "\n  ".join(p) for label, p in failures.items())
    assert not failures, f"{len(failures)} of {len(SAMPLES)} exchanges differ:\n{report}"


def test_version_answer_is_exactly_odoo18(emulator: EmulatorHandle) -> None:
    recorded = SAMPLES[0]["response"]["result"] if SAMPLES else None
    answer = httpx.post(
        f"{emulator.url}/web/webclient/version_info",
        json={"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1},
    ).json()
    expected = recorded or {
        "server_version": "18.0",
        "server_version_info": [18, 0, 0, "final", 0, ""],
        "server_serie": "18.0",
        "protocol_version": 1,
    }
    assert answer["result"] == expected
