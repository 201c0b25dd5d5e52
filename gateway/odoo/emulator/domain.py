"""Odoo search domains: Polish-notation parsing and evaluation of one record at a time,
with the operators of Odoo 17/18 (reference §3.2)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from gateway.odoo.emulator.errors import OdooValueError

if TYPE_CHECKING:
    from gateway.odoo.emulator.orm import BaseModel

TERM_OPERATORS = frozenset(
    {
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "=?",
        "like",
        "not like",
        "ilike",
        "not ilike",
        "=like",
        "=ilike",
        "in",
        "not in",
        "child_of",
        "parent_of",
        "any",
        "not any",
    }
)

Node = tuple[Any, ...]


def _is_leaf(token: Any) -> bool:
    return isinstance(token, (list, tuple)) and len(token) == 3


def parse(domain: Any) -> Node:
    """Turn a domain list into a tree of ('&'|'|', a, b), ('!', a) and ('leaf', term)."""
    if domain in (None, False):
        domain = []
    if not isinstance(domain, (list, tuple)):
        raise OdooValueError(f"Domain {domain!r} is syntactically not correct.")
    stack: list[Node] = []
    for token in reversed(list(domain)):
        if token in ("&", "|"):
            if len(stack) < 2:
                raise OdooValueError(f"Domain {list(domain)!r} is syntactically not correct.")
            left, right = stack.pop(), stack.pop()
            stack.append((token, left, right))
        elif token == "!":
            if not stack:
                raise OdooValueError(f"Domain {list(domain)!r} is syntactically not correct.")
            stack.append(("!", stack.pop()))
        elif _is_leaf(token):
            stack.append(("leaf", tuple(token)))
        else:
            raise OdooValueError(f"Invalid leaf {token!r}")
    if not stack:
        return ("true",)
    node = stack.pop()
    while stack:  # consecutive terms are implicitly AND-ed
        node = ("&", node, stack.pop())
    return node


def top_level_fields(domain: Any) -> set[str]:
    names = set()
    for token in domain or []:
        if _is_leaf(token) and isinstance(token[0], str):
            names.add(token[0].split(".")[0])
    return names


def like_regex(pattern: str, *, wrap: bool, insensitive: bool) -> re.Pattern[str]:
    """SQL LIKE pattern to a regex: `%` any run, `_` one character, `\\` escapes."""
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    body = "".join(out)
    if wrap:
        body = f".*{body}.*"
    return re.compile(f"^{body}$", re.S | (re.I if insensitive else 0))


def is_null(value: Any) -> bool:
    return value is None or value is False or value == "" or value == []


def evaluate(model: BaseModel, node: Node, rid: int) -> bool:
    kind = node[0]
    if kind == "true":
        return True
    if kind == "&":
        return evaluate(model, node[1], rid) and evaluate(model, node[2], rid)
    if kind == "|":
        return evaluate(model, node[1], rid) or evaluate(model, node[2], rid)
    if kind == "!":
        return not evaluate(model, node[1], rid)
    return _leaf(model, node[1], rid)


def validate(model: BaseModel, node: Node) -> None:
    """Check every leaf up front, as Odoo does before running the query."""
    kind = node[0]
    if kind in ("&", "|"):
        validate(model, node[1])
        validate(model, node[2])
    elif kind == "!":
        validate(model, node[1])
    elif kind == "leaf":
        _check_leaf(model, node[1])


def _check_leaf(model: BaseModel, leaf: tuple[Any, ...]) -> None:
    path, operator, value = leaf
    if isinstance(path, int) and path in (0, 1) and operator == "=" and value == 1:
        return
    if not isinstance(path, str) or not isinstance(operator, str):
        raise OdooValueError(f"Invalid leaf {leaf!r}")
    if operator.lower() not in TERM_OPERATORS:
        raise OdooValueError(f"Invalid leaf {leaf!r}")
    head, _, rest = path.partition(".")
    field = model._fields.get(head)
    if head != "id" and field is None:
        raise OdooValueError(f"Invalid field {model._name}.{head} in leaf {leaf!r}")
    if rest:
        if field is None or not field.relation:
            raise OdooValueError(f"Invalid field {model._name}.{path} in leaf {leaf!r}")
        comodel = model.env[field.relation]
        _check_leaf(comodel, (rest, operator, value))
    elif operator in ("any", "not any"):
        if field is None or not field.relation:
            raise OdooValueError(f"Invalid leaf {leaf!r}")
        validate(model.env[field.relation], parse(value))


def _compare(operator: str, actual: Any, value: Any) -> bool:
    if operator in ("<>",):
        operator = "!="
    if operator == "=?":
        return True if value is None or value is False else _compare("=", actual, value)
    if operator == "=":
        if value is False or value is None:
            return is_null(actual)
        return bool(actual == value)
    if operator == "!=":
        if value is False or value is None:
            return not is_null(actual)
        return bool(actual != value)
    if operator in ("<", "<=", ">", ">="):
        if is_null(actual) or value is None or value is False:
            return False
        try:
            if operator == "<":
                return bool(actual < value)
            if operator == "<=":
                return bool(actual <= value)
            if operator == ">":
                return bool(actual > value)
            return bool(actual >= value)
        except TypeError:
            return False
    if operator in ("like", "ilike", "=like", "=ilike"):
        if is_null(actual):
            return False
        regex = like_regex(
            str(value),
            wrap=not operator.startswith("="),
            insensitive="ilike" in operator,
        )
        return bool(regex.match(str(actual)))
    if operator in ("not like", "not ilike"):
        if is_null(actual):
            return True
        return not _compare(operator[4:], actual, value)
    if operator in ("in", "not in"):
        values = value if isinstance(value, (list, tuple)) else [value]
        hit = actual in values or (False in values and is_null(actual))
        return hit if operator == "in" else not hit
    raise OdooValueError(f"Invalid leaf operator {operator!r}")


def _leaf(model: BaseModel, leaf: tuple[Any, ...], rid: int) -> bool:
    path, operator, value = leaf
    if isinstance(path, int):
        return path == 1
    operator = operator.lower()
    head, _, rest = path.partition(".")
    if head == "id":
        if operator in ("child_of", "parent_of"):
            return _hierarchy(model, operator, rid, value)
        return _compare(operator, rid, value)
    field = model._fields[head]
    raw = model._value(rid, head)
    if field.relation and field.type in ("many2one", "one2many", "many2many"):
        linked: list[int] = ([raw] if raw else []) if field.type == "many2one" else list(raw or [])
        comodel = model.env[field.relation]
        if rest:
            matches = [cid for cid in linked if _leaf(comodel, (rest, operator, value), cid)]
            if operator in ("!=", "not in", "not like", "not ilike"):
                # negative operators through a path: no linked record may violate
                return all(_leaf(comodel, (rest, operator, value), cid) for cid in linked)
            return bool(matches)
        if operator in ("any", "not any"):
            sub = parse(value)
            hit = any(evaluate(comodel, sub, cid) for cid in linked)
            return hit if operator == "any" else not hit
        if operator in ("child_of", "parent_of"):
            return any(_hierarchy(comodel, operator, cid, value) for cid in linked)
        if _names_value(value):
            return _match_names(comodel, operator, linked, value)
        if field.type == "many2one":
            return _compare(operator, raw or False, value)
        # x2many against ids
        if operator in ("=", "in"):
            if value is False or value is None:
                return not linked
            values = value if isinstance(value, (list, tuple)) else [value]
            return any(cid in values for cid in linked)
        if operator in ("!=", "not in"):
            if value is False or value is None:
                return bool(linked)
            values = value if isinstance(value, (list, tuple)) else [value]
            return not any(cid in values for cid in linked)
        return any(_compare(operator, cid, value) for cid in linked)
    if operator in ("child_of", "parent_of"):
        return _hierarchy(model, operator, rid, value)
    return _compare(operator, raw, value)


def _names_value(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return (
        isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, str) for v in value)
    )


def _match_names(comodel: BaseModel, operator: str, linked: list[int], value: Any) -> bool:
    names = [comodel._display_name(cid) for cid in linked]
    negative = operator in ("!=", "not in", "not like", "not ilike")
    positive_op = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike"}.get(
        operator, operator
    )
    hit = any(_compare(positive_op, name, value) for name in names)
    return not hit if negative else hit


def _hierarchy(model: BaseModel, operator: str, rid: int, value: Any) -> bool:
    targets = set(value if isinstance(value, (list, tuple)) else [value])
    parent_field = model._parent_name
    if operator == "child_of":
        seen: set[int] = set()
        current: int | None = rid
        while current and current not in seen:
            if current in targets:
                return True
            seen.add(current)
            current = model._value(current, parent_field) if parent_field else None
        return False
    # parent_of: rid is an ancestor of (or equal to) one of the targets
    for target in targets:
        seen = set()
        current = target
        while current and current not in seen:
            if current == rid:
                return True
            seen.add(current)
            current = model._value(current, parent_field) if parent_field else None
    return False


def _conjuncts(node: Node) -> Iterator[Node]:
    if node[0] == "&":
        yield from _conjuncts(node[1])
        yield from _conjuncts(node[2])
    else:
        yield node


def _index_value(value: Any, many2one: bool) -> bool:
    """A value an index can find every match of: a truthy plain scalar (falsy ones also
    match empty fields, a string against a many2one matches names)."""
    if isinstance(value, bool) or not value:
        return False
    if many2one:
        return isinstance(value, int)
    return isinstance(value, (str, int, float))


def equality_terms(model: BaseModel, node: Node) -> dict[str, list[Any]]:
    """Stored scalar fields that every match of `node` must hold one of some values in, from
    its top-level `=` and `in` terms: {field: values}. An index on such fields (or `id`)
    gives candidates that include every match; the whole domain is still evaluated."""
    terms: dict[str, list[Any]] = {}
    for part in _conjuncts(node):
        if part[0] != "leaf":
            continue
        path, operator, value = part[1]
        if not isinstance(path, str) or "." in path or path in terms:
            continue
        operator = str(operator).lower()
        if operator not in ("=", "in"):
            continue
        if path == "id":
            many2one = True
        else:
            field = model._fields.get(path)
            if field is None or field.compute is not None or not field.stored:
                continue
            if field.type in ("one2many", "many2many"):
                continue
            many2one = field.type == "many2one"
        if operator == "=":
            values = [value]
        elif isinstance(value, (list, tuple)):
            values = list(value)
        else:
            values = [value]
        if all(_index_value(v, many2one) for v in values):
            terms[path] = values
    return terms


def path_terms(model: BaseModel, node: Node) -> list[tuple[str, Node]]:
    """Top-level `many2one.field = / in` terms as (many2one field, leaf on its comodel): a
    record matches such a term exactly when its many2one holds a comodel record that
    matches the leaf, so the comodel's matches give this model's candidates."""
    found = []
    for part in _conjuncts(node):
        if part[0] != "leaf":
            continue
        path, operator, value = part[1]
        if not isinstance(path, str) or path.count(".") != 1:
            continue
        if str(operator).lower() not in ("=", "in"):
            continue
        head, _, rest = path.partition(".")
        field = model._fields.get(head)
        if field is None or field.type != "many2one" or field.compute is not None:
            continue
        found.append((head, ("leaf", (rest, operator, value))))
    return found


def filter_ids(model: BaseModel, domain: Any, ids: list[int]) -> list[int]:
    node = parse(domain)
    validate(model, node)
    return [rid for rid in ids if evaluate(model, node, rid)]


Evaluator = Callable[[int], bool]
