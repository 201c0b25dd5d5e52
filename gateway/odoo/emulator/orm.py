"""A small ORM that behaves like Odoo's over RPC: fields and their value shapes, defaults,
computed fields, x2many commands, domains, ordering, access rights and Odoo's error texts.

Models subclass `BaseModel`; public methods marked `@api_model` are called without ids,
other public methods receive the record ids first, as Odoo's RPC dispatch does."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from gateway.odoo.emulator import domain as domains
from gateway.odoo.emulator.errors import (
    FOREIGN_KEY_TEXT,
    MANDATORY_FIELD_TEXT,
    AccessError,
    MissingError,
    OdooValueError,
    UserError,
    ValidationError,
)
from gateway.odoo.emulator.store import IndexSpec, TableView, Transaction

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
RELATIONAL = ("many2one", "one2many", "many2many")


def round_half_up(value: float, digits: int) -> float:
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def now_string() -> str:
    return datetime.now(UTC).strftime(DATETIME_FORMAT)


def today_string() -> str:
    return datetime.now(UTC).strftime(DATE_FORMAT)


@dataclass
class Field:
    """One field of a model, with what `fields_get` publishes about it."""

    type: str
    string: str
    required: bool = False
    readonly: bool = False
    relation: str | None = None
    relation_field: str | None = None  # inverse many2one of a one2many
    selection: list[tuple[str, str]] | None = None
    default: Any = None  # a value or a callable(env) -> value
    compute: Callable[[BaseModel, int], Any] | None = None
    store: bool = True
    help: str | None = None
    digits: int | None = None
    domain: Any = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    ondelete: str = "set null"  # many2one: 'cascade' deletes with the parent
    name: str = ""

    @property
    def stored(self) -> bool:
        return self.store and self.compute is None and self.type != "one2many"


def api_model(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a method as model-level: RPC passes `args` as-is, without record ids."""
    fn._api_model = True  # type: ignore[attr-defined]
    return fn


def private(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn._private = True  # type: ignore[attr-defined]
    return fn


class Registry:
    """The installed models, by name."""

    def __init__(self) -> None:
        self.models: dict[str, type[BaseModel]] = {}

    def add(self, cls: type[BaseModel]) -> type[BaseModel]:
        fields: dict[str, Field] = {}
        for klass in reversed(cls.__mro__):
            fields.update(getattr(klass, "_declared_fields", {}) or {})
        for name, f in fields.items():
            f.name = name
        cls._fields = fields
        self.models[cls._name] = cls
        return cls

    def index_specs(self) -> dict[str, list[IndexSpec]]:
        """The indexes the store keeps per model: what each model declares, plus the
        inverse many2one of every one2many (the lookup behind reading that one2many)."""
        specs: dict[str, list[IndexSpec]] = {}
        for name, cls in self.models.items():
            specs.setdefault(name, []).extend(cls._indexes)
            for f in cls._fields.values():
                if f.type == "one2many" and f.relation and f.relation_field:
                    specs.setdefault(f.relation, []).append((f.relation_field,))
        return {name: list(dict.fromkeys(found)) for name, found in specs.items()}


@dataclass
class Access:
    """Who may do what: group xml ids allowed per operation, per model (default: users)."""

    rules: dict[str, dict[str, set[str]]] = field(default_factory=dict)


class Env:
    """One call's environment: transaction, user, context and superuser flag."""

    def __init__(
        self,
        registry: Registry,
        tx: Transaction,
        uid: int,
        context: dict[str, Any] | None = None,
        *,
        su: bool = False,
        version: int = 18,
        acl: dict[str, dict[str, set[str]]] | None = None,
    ) -> None:
        self.registry = registry
        self.tx = tx
        self.uid = uid
        self.context = dict(context or {})
        self.su = su
        self.version = version
        self.acl = acl if acl is not None else {}

    def __getitem__(self, model: str) -> Any:
        # Any: model classes add their own business methods
        cls = self.registry.models.get(model)
        if cls is None:
            raise UserError(f"Object {model} doesn't exist")
        return cls(self)

    def __contains__(self, model: str) -> bool:
        return model in self.registry.models

    def sudo(self) -> Env:
        return Env(
            self.registry,
            self.tx,
            self.uid,
            self.context,
            su=True,
            version=self.version,
            acl=self.acl,
        )

    def with_context(self, **extra: Any) -> Env:
        env = Env(
            self.registry,
            self.tx,
            self.uid,
            {**self.context, **extra},
            su=self.su,
            version=self.version,
            acl=self.acl,
        )
        return env

    def user_groups(self) -> set[str]:
        key = ("groups", self.uid)
        if key not in self.tx.memo:
            self.tx.memo[key] = self._user_groups()
        return set(self.tx.memo[key])

    def _user_groups(self) -> set[str]:
        user = self.tx.peek("res.users", self.uid) or {}
        wanted = set(user.get("groups_id") or [])
        data = self.tx.table("ir.model.data")
        found = set()
        for xid in data.lookup(("model", "res_id"), [("res.groups", gid) for gid in wanted]):
            row = data.peek(xid) or {}
            found.add(f"{row['module']}.{row['name']}")
        return found

    def xmlid_rows(self, module: str, name: str) -> list[dict[str, Any]]:
        """The ir.model.data rows of `module.name` (read-only), oldest first."""
        data = self.tx.table("ir.model.data")
        rows = (data.peek(xid) for xid in data.lookup(("module", "name"), [(module, name)]))
        return [row for row in rows if row is not None]

    def ref(self, xmlid: str) -> int:
        module, _, name = xmlid.partition(".")
        for row in self.xmlid_rows(module, name):
            return int(row["res_id"])
        raise OdooValueError(f"External ID not found in the system: {xmlid}")

    def check_access(self, model: BaseModel, operation: str) -> None:
        if self.su:
            return
        allowed = self.acl.get(model._name, {}).get(operation)
        if allowed is None:
            allowed = self.acl.get("*", {}).get(operation, {"base.group_user"})
        groups = self.user_groups()
        if groups & allowed:
            return
        verb = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}[
            operation
        ]
        labels = []
        for xml in sorted(allowed):
            labels.append(f"\t- {GROUP_LABELS.get(xml, xml)}")
        raise AccessError(
            f"You are not allowed to {verb} '{model._description}' ({model._name}) records.\n\n"
            "This operation is allowed for the following groups:\n"
            + "\n".join(labels)
            + "\n\nContact your administrator to request access if necessary."
        )


GROUP_LABELS = {
    "base.group_erp_manager": "Administration/Access Rights",
    "base.group_system": "Administration/Settings",
    "base.group_user": "Role / User",
    "stock.group_stock_user": "Inventory/User",
    "stock.group_stock_manager": "Inventory/Administrator",
    "account.group_account_invoice": "Invoicing/Billing",
    "account.group_account_manager": "Invoicing/Billing Administrator",
    "purchase.group_purchase_user": "Purchase/User",
}


class BaseModel:
    """Generic ORM methods every model answers over RPC."""

    _name: ClassVar[str] = ""
    _description: ClassVar[str] = ""
    _order: ClassVar[str] = "id"
    _rec_name: ClassVar[str | None] = "name"
    _parent_name: ClassVar[str | None] = None
    _declared_fields: ClassVar[dict[str, Field]] = {}
    _fields: ClassVar[dict[str, Field]] = {}
    _mail_thread: ClassVar[bool] = False
    _last_version: ClassVar[int] = 99  # a model Odoo dropped after that major version
    _created_note: ClassVar[str | None] = None
    # hash indexes the store keeps (besides one2many inverses): equality and `in` searches
    # on these fields, alone or as a group, look rows up instead of scanning the model
    _indexes: ClassVar[tuple[IndexSpec, ...]] = ()

    def __init__(self, env: Env) -> None:
        self.env = env

    # ----------------------------------------------------------------- low level
    @property
    def _rows(self) -> TableView:
        return self.env.tx.table(self._name)

    def _peek(self, rid: Any) -> dict[str, Any]:
        """One row for reading only ({} when missing): no copy of a committed row."""
        row = self.env.tx.peek(self._name, rid)
        return {} if row is None else row

    def _row(self, rid: int) -> dict[str, Any]:
        row = self._rows.get(rid)
        if row is None:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: {self._name}({rid},), User: {self.env.uid})"
            )
        return row

    def _value(self, rid: int, name: str) -> Any:
        """The value of one field as the ORM holds it (m2o: int|None, x2m: list of ids)."""
        if name == "id":
            return rid
        f = self._fields[name]
        if f.compute is not None:
            return f.compute(self, rid)
        if f.type == "one2many":
            assert f.relation and f.relation_field
            comodel = self.env[f.relation]
            ids = comodel._rows.lookup((f.relation_field,), [rid])
            return comodel._sorted(ids)
        value = self._peek(rid).get(name)
        if f.type == "many2many":
            return list(value or [])
        return value

    def _set(self, rid: int, name: str, value: Any) -> None:
        row = self._row(rid)
        row[name] = value
        self.env.tx.touch(self._name, rid)

    def _display_name(self, rid: int) -> str:
        if self._rec_name and self._rec_name in self._fields:
            value = self._value(rid, self._rec_name)
            if value not in (None, False):
                return str(value)
        return f"{self._name},{rid}"

    def _all_ids(self) -> list[int]:
        return self._rows.ids()

    def _new_env_model(self, env: Env) -> BaseModel:
        return type(self)(env)

    def sudo_model(self) -> Any:
        return self._new_env_model(self.env.sudo())

    # ------------------------------------------------------------------ ordering
    _ORDER_RE = re.compile(
        r"^\s*([a-z_][a-z0-9_.]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(?:first|last))?\s*$", re.I
    )

    def _parse_order(self, order: str | None) -> list[tuple[str, bool]]:
        spec = order if order else self._order
        keys = []
        for part in spec.split(","):
            if not part.strip():
                continue
            match = self._ORDER_RE.match(part)
            name = match.group(1) if match else ""
            if not match or (name != "id" and name not in self._fields):
                raise UserError(
                    f'Invalid "order" specified ({spec}). A valid "order" specification is a '
                    "comma-separated list of valid field names (optionally followed by asc/desc "
                    "for the direction)"
                )
            keys.append((name, (match.group(2) or "asc").lower() == "desc"))
        return keys

    def _sort_value(self, rid: int, name: str) -> Any:
        value = self._value(rid, name)
        if name != "id" and self._fields[name].type == "many2one" and value:
            return self.env[self._fields[name].relation or ""]._display_name(value)
        if isinstance(value, list):
            return len(value)
        return value

    def _sorted(self, ids: Iterable[int], order: str | None = None) -> list[int]:
        result = list(ids)
        for name, desc in reversed(self._parse_order(order)):
            with_value = [(rid, self._sort_value(rid, name)) for rid in result]
            present = [(rid, v) for rid, v in with_value if v not in (None, False, "")]
            missing = [rid for rid, v in with_value if v in (None, False, "")]
            try:
                present.sort(key=lambda item: item[1], reverse=desc)
            except TypeError:
                present.sort(key=lambda item: str(item[1]), reverse=desc)
            ordered = [rid for rid, _ in present]
            result = missing + ordered if desc else ordered + missing
        return result

    # ------------------------------------------------------------------- values
    def _check_field_names(self, names: Iterable[str]) -> None:
        for name in names:
            if name != "id" and name not in self._fields:
                raise OdooValueError(f"Invalid field {name!r} on model {self._name!r}")

    def _convert(self, f: Field, value: Any) -> Any:
        """A value sent by a client, turned into what the ORM stores (reference §3.5)."""
        t = f.type
        if t in ("char", "text", "html"):
            return None if value in (False, None) else str(value)
        if t == "selection":
            if value in (False, None):
                return None
            keys = [key for key, _label in (f.selection or [])]
            if value not in keys:
                raise OdooValueError(f"Wrong value for {self._name}.{f.name}: {value!r}")
            return value
        if t == "boolean":
            return bool(value)
        if t == "integer":
            return int(value or 0)
        if t in ("float", "monetary"):
            number = float(value or 0.0)
            digits = f.digits if f.digits is not None else 2
            return round_half_up(number, digits)
        if t == "date":
            if value in (False, None, ""):
                return None
            text = str(value)[:10]
            datetime.strptime(text, DATE_FORMAT)
            return text
        if t == "datetime":
            if value in (False, None, ""):
                return None
            text = str(value)
            if len(text) == 10:
                datetime.strptime(text, DATE_FORMAT)
                return text + " 00:00:00"
            try:
                datetime.strptime(text, DATETIME_FORMAT)
            except ValueError as exc:
                raise OdooValueError(str(exc)) from None
            return text
        if t == "many2one":
            if value in (False, None, 0):
                return None
            if isinstance(value, (list, tuple)):
                value = value[0]
            rid = int(value)
            comodel = self.env[f.relation or ""]
            if rid not in comodel._rows:
                raise ValidationError(
                    FOREIGN_KEY_TEXT.format(
                        description=self._description,
                        model=self._name,
                        constraint=f"{self._name.replace('.', '_')}_{f.name}_fkey",
                    )
                )
            return rid
        if t == "many2one_reference":
            return int(value or 0)
        if t == "binary":
            if value in (False, None, ""):
                return None
            if isinstance(value, bytes):
                return value.decode("ascii")
            return str(value)
        return value

    def _output(self, f: Field, value: Any, load: str | None) -> Any:
        """A stored value shaped as `read` returns it (reference §3.4)."""
        t = f.type
        if t == "many2one":
            if not value:
                return False
            if load == "_classic_read":
                return [value, self.env[f.relation or ""].sudo_model()._display_name(value)]
            return value
        if t in ("one2many", "many2many"):
            return list(value or [])
        if t == "integer":
            return int(value or 0)
        if t in ("float", "monetary"):
            digits = f.digits if f.digits is not None else 2
            return round_half_up(float(value or 0.0), digits)
        if t == "boolean":
            return bool(value)
        if t == "many2one_reference":
            return int(value) if value else 0
        if t == "json":
            return value if value not in (None,) else False
        return False if value is None else value

    def _default(self, f: Field) -> Any:
        key = f"default_{f.name}"
        if key in self.env.context:
            return self._convert(f, self.env.context[key])
        default = f.default
        if callable(default):
            default = default(self.env)
        if default is None:
            return [] if f.type == "many2many" else None
        return self._convert(f, default) if f.type not in RELATIONAL else default

    # --------------------------------------------------------------- public ORM
    @api_model
    def fields_get(
        self, allfields: list[str] | None = None, attributes: list[str] | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, f in self._fields.items():
            if allfields and name not in allfields:
                continue
            desc: dict[str, Any] = {
                "type": f.type,
                "string": f.string,
                "required": f.required,
                "readonly": f.readonly,
                "store": f.stored or f.type == "one2many",
                "sortable": f.stored,
                "searchable": True,
                "name": name,
            }
            if f.help:
                desc["help"] = f.help
            if f.relation:
                desc["relation"] = f.relation
                desc["context"] = dict(f.context)
                desc["domain"] = f.domain
            if f.relation_field:
                desc["relation_field"] = f.relation_field
            if f.selection is not None:
                desc["selection"] = [list(pair) for pair in f.selection]
            if attributes:
                desc = {key: value for key, value in desc.items() if key in attributes}
            result[name] = desc
        return result

    @api_model
    def default_get(self, fields_list: list[str]) -> dict[str, Any]:
        self.env.check_access(self, "read")
        result = {}
        for name in fields_list:
            f = self._fields.get(name)
            if f is None or not f.stored:
                continue
            value = self._default(f)
            if value is None or value == []:
                continue
            result[name] = self._output(f, value, "_classic_write")
        return result

    def _search(
        self,
        domain: Any,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        domain = list(domain or [])
        if (
            "active" in self._fields
            and self.env.context.get("active_test", True)
            and "active" not in domains.top_level_fields(domain)
        ):
            domain = [("active", "=", True), *domain]
        node = domains.parse(domain)
        domains.validate(self, node)
        candidates = self._indexed_candidates(node)
        ids = self._all_ids() if candidates is None else candidates
        self.env.tx.stats.rows_scanned += len(ids)
        ids = [rid for rid in ids if domains.evaluate(self, node, rid)]
        ids = self._sorted(ids, order)
        offset = int(offset or 0)
        ids = ids[offset:]
        if limit:
            ids = ids[: int(limit)]
        return ids

    def _indexed_candidates(self, node: domains.Node) -> list[int] | None:
        """Ascending ids that include every match of `node`, through the most selective
        index that its top-level equality / `in` terms allow; None: scan the model."""
        terms = domains.equality_terms(self, node)
        rows = self._rows
        specs = self.env.tx.index_specs(self._name)
        best: tuple[int, IndexSpec, list[Any]] | None = None
        for head, leaf in domains.path_terms(self, node):
            if (head,) not in specs or head in terms:
                continue
            comodel = self.env[self._fields[head].relation or ""]
            linked = comodel._indexed_candidates(leaf)
            if linked is None:
                continue  # finding the comodel's matches would take a scan of it
            terms[head] = [cid for cid in linked if domains.evaluate(comodel, leaf, cid)]
        if not terms:
            return None
        if "id" in terms:
            best = (len(terms["id"]), ("id",), terms["id"])
        for spec in specs:
            if not all(name in terms for name in spec):
                continue
            keys: list[Any] = [()]
            for name in spec:
                keys = [(*key, value) for key in keys for value in terms[name]]
            if len(spec) == 1:
                keys = [key[0] for key in keys]
            estimate = rows.estimate(spec, keys)
            if estimate is not None and (best is None or estimate < best[0]):
                best = (estimate, spec, keys)
        if best is None:
            return None
        _estimate, spec, keys = best
        if spec == ("id",):
            return sorted({rid for rid in keys if rid in rows})
        return rows.lookup(spec, keys)

    @api_model
    def search(
        self,
        domain: Any = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **kwargs: Any,
    ) -> Any:
        self.env.check_access(self, "read")
        count = False
        if self.env.version <= 16:
            domain = kwargs.pop("args", domain)
            count = kwargs.pop("count", False)
        if kwargs:
            raise TypeError(
                f"BaseModel.search() got an unexpected keyword argument '{next(iter(kwargs))}'"
            )
        ids = self._search(domain, offset, limit, order)
        return len(ids) if count else ids

    @api_model
    def search_count(self, domain: Any = None, limit: int | None = None) -> int:
        self.env.check_access(self, "read")
        return len(self._search(domain, 0, limit))

    @api_model
    def search_read(
        self,
        domain: Any = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        load: str = "_classic_read",
    ) -> list[dict[str, Any]]:
        self.env.check_access(self, "read")
        if fields:
            self._check_field_names(fields)
        ids = self._search(domain, offset, limit, order)
        return self._read(ids, fields, load)

    def read(
        self, ids: list[int], fields: list[str] | None = None, load: str = "_classic_read"
    ) -> list[dict[str, Any]]:
        self.env.check_access(self, "read")
        if fields:
            self._check_field_names(fields)
        return self._read(ids, fields, load)

    def _read(
        self, ids: list[int], fields: list[str] | None, load: str | None
    ) -> list[dict[str, Any]]:
        names = [n for n in (fields or list(self._fields)) if n != "id"]
        result = []
        for rid in ids:
            if rid not in self._rows:
                continue
            row: dict[str, Any] = {"id": rid}
            for name in names:
                f = self._fields[name]
                row[name] = self._output(f, self._value(rid, name), load)
            result.append(row)
        return result

    @api_model
    def name_search(
        self,
        name: str = "",
        args: Any = None,
        operator: str = "ilike",
        limit: int = 100,
    ) -> list[list[Any]]:
        self.env.check_access(self, "read")
        ids = self._search(args, 0, None)
        if name:
            ids = [
                rid
                for rid in ids
                if domains._compare(operator, self._display_name(rid), name)
                or self._name_search_extra(rid, operator, name)
            ]
        if limit:
            ids = ids[: int(limit)]
        return [[rid, self._display_name(rid)] for rid in ids]

    def _name_search_extra(self, rid: int, operator: str, name: str) -> bool:
        return False

    def name_get(self, ids: list[int]) -> list[list[Any]]:
        if self.env.version >= 18:
            raise AttributeError_("name_get", self._name, self.env.version)
        return [[rid, self._display_name(rid)] for rid in ids if rid in self._rows]

    @api_model
    def create(self, vals_list: Any) -> Any:
        self.env.check_access(self, "create")
        single = isinstance(vals_list, dict)
        items = [vals_list] if single else list(vals_list or [])
        ids = [self._create_one(dict(vals)) for vals in items]
        return ids[0] if single else ids

    def _create_one(self, vals: dict[str, Any]) -> int:
        self._check_field_names(vals)
        vals = self._prepare_create(vals)
        self._check_field_names(vals)
        rid = self.env.tx.next_id(self._name)
        row: dict[str, Any] = {}
        deferred: dict[str, Any] = {}
        for name, f in self._fields.items():
            if f.type in ("one2many", "many2many") and name in vals:
                deferred[name] = vals[name]
                if f.type == "many2many":
                    row[name] = []
                continue
            if not f.stored:
                continue
            if name in vals:
                row[name] = self._convert(f, vals[name])
            else:
                row[name] = self._default(f)
        now = now_string()
        row.setdefault("create_date", now)
        row["create_date"] = row.get("create_date") or now
        row["write_date"] = now
        row["create_uid"] = self.env.uid
        row["write_uid"] = self.env.uid
        self.env.tx.put(self._name, rid, row)
        self._complete_row(rid, row, vals)
        self._check_required(rid)
        for name, commands in deferred.items():
            self._apply_x2many(rid, self._fields[name], commands)
        self._after_create(rid, vals)
        if (
            self._mail_thread
            and self._created_note
            and not self.env.context.get("mail_create_nolog")
        ):
            self.env["mail.message"].sudo_model()._log(self._name, rid, self._created_note)
        return rid

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        return vals

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        """Fill values Odoo computes at creation (names, related defaults)."""

    def _after_create(self, rid: int, vals: dict[str, Any]) -> None:
        """Recompute what depends on the new record and its lines."""

    def _check_required(self, rid: int) -> None:
        row = self._rows[rid]
        for name, f in self._fields.items():
            if f.required and f.stored and row.get(name) in (None,):
                raise ValidationError(
                    MANDATORY_FIELD_TEXT.format(
                        description=self._description,
                        model=self._name,
                        label=f.string,
                        field=name,
                    )
                )

    def _apply_x2many(self, rid: int, f: Field, commands: Any) -> None:
        comodel = self.env[f.relation or ""]
        if commands is False or commands is None:
            commands = [[5]]
        if commands and all(isinstance(c, int) for c in commands):
            commands = [[6, 0, list(commands)]]
        for command in commands or []:
            if not isinstance(command, (list, tuple)) or not command:
                raise OdooValueError(f"Invalid command {command!r} for field {f.name}")
            code = command[0]
            if code == 0:
                vals = dict(command[2] if len(command) > 2 else {})
                if f.type == "one2many":
                    vals[f.relation_field or ""] = rid
                    comodel._create_one(vals)
                else:
                    new_id = comodel._create_one(vals)
                    self._link(rid, f, [new_id])
            elif code == 1:
                comodel.write([command[1]], dict(command[2]))
            elif code == 2:
                self._unlink_from(rid, f, [command[1]])
                comodel._unlink_ids([command[1]])
            elif code == 3:
                self._unlink_from(rid, f, [command[1]])
            elif code == 4:
                self._link(rid, f, [command[1]])
            elif code == 5:
                self._unlink_from(rid, f, list(self._value(rid, f.name)))
            elif code == 6:
                ids = list(command[2] if len(command) > 2 else [])
                current = list(self._value(rid, f.name))
                self._unlink_from(rid, f, [i for i in current if i not in ids])
                self._link(rid, f, ids)
            else:
                raise OdooValueError(f"Invalid command {command!r} for field {f.name}")

    def _link(self, rid: int, f: Field, ids: list[int]) -> None:
        comodel = self.env[f.relation or ""]
        for cid in ids:
            if cid not in comodel._rows:
                raise MissingError(
                    "Record does not exist or has been deleted.\n"
                    f"(Record: {comodel._name}({cid},), User: {self.env.uid})"
                )
        if f.type == "one2many":
            for cid in ids:
                comodel._set(cid, f.relation_field or "", rid)
        else:
            current = list(self._rows[rid].get(f.name) or [])
            current += [cid for cid in ids if cid not in current]
            self._set(rid, f.name, current)

    def _unlink_from(self, rid: int, f: Field, ids: list[int]) -> None:
        comodel = self.env[f.relation or ""]
        if f.type == "one2many":
            inverse = comodel._fields[f.relation_field or ""]
            if inverse.required or inverse.ondelete == "cascade":
                comodel._unlink_ids([cid for cid in ids if cid in comodel._rows])
            else:
                for cid in ids:
                    if cid in comodel._rows:
                        comodel._set(cid, inverse.name, None)
        else:
            current = [cid for cid in (self._rows[rid].get(f.name) or []) if cid not in ids]
            self._set(rid, f.name, current)

    def write(self, ids: list[int], vals: dict[str, Any]) -> bool:
        self.env.check_access(self, "write")
        ids = _as_ids(ids)
        self._check_field_names(vals)
        for rid in ids:
            self._row(rid)
        self._before_write(ids, vals)
        for rid in ids:
            self._write_one(rid, vals)
        self._after_write(ids, vals)
        return True

    def _write_one(self, rid: int, vals: dict[str, Any]) -> None:
        row = self._row(rid)
        old = dict(row)
        for name, value in vals.items():
            f = self._fields[name]
            if f.type in ("one2many", "many2many"):
                continue
            if f.compute is not None and not f.store:
                continue  # non-stored computed fields without inverse ignore writes
            row[name] = self._convert(f, value)
        row["write_date"] = now_string()
        row["write_uid"] = self.env.uid
        self.env.tx.touch(self._name, rid)
        self._check_required(rid)
        for name, value in vals.items():
            f = self._fields[name]
            if f.type in ("one2many", "many2many"):
                self._apply_x2many(rid, f, value)
        self._track(rid, old, vals)

    def _track(self, rid: int, old: dict[str, Any], vals: dict[str, Any]) -> None:
        """Tracked field changes leave an empty notification in the chatter."""
        tracked = getattr(self, "_tracked", ())
        if not self._mail_thread or not tracked:
            return
        row = self._rows[rid]
        if any(name in tracked and old.get(name) != row.get(name) for name in vals):
            self.env["mail.message"].sudo_model()._log(self._name, rid, "")

    def _before_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        """Business guards (e.g. locked fields of posted moves)."""

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        """Recompute stored values that depend on what was written."""

    def unlink(self, ids: list[int]) -> bool:
        self.env.check_access(self, "unlink")
        ids = [rid for rid in _as_ids(ids) if rid in self._rows]
        self._before_unlink(ids)
        self._unlink_ids(ids)
        return True

    def _before_unlink(self, ids: list[int]) -> None:
        """Business guards (posted moves, validated landed costs)."""

    def _unlink_ids(self, ids: list[int]) -> None:
        for name, f in self._fields.items():
            if f.type == "one2many" and f.relation:
                comodel = self.env[f.relation]
                inverse = comodel._fields.get(f.relation_field or "")
                if inverse is not None and (inverse.required or inverse.ondelete == "cascade"):
                    children = comodel._rows.lookup((inverse.name,), ids)
                    comodel._unlink_ids(children)
            del name
        for rid in ids:
            self.env.tx.delete(self._name, rid)
        data = self.env.tx.table("ir.model.data")
        for xid in data.lookup(("model", "res_id"), [(self._name, rid) for rid in ids]):
            self.env.tx.delete("ir.model.data", xid)

    def copy(self, ids: list[int], default: dict[str, Any] | None = None) -> Any:
        new_ids = []
        for rid in _as_ids(ids):
            vals = {
                name: self._output(f, self._value(rid, name), "_classic_write")
                for name, f in self._fields.items()
                if f.stored and f.type != "many2many" and name not in _MAGIC
            }
            vals.update(default or {})
            new_ids.append(self.create(vals))
        if self.env.version >= 18:
            return new_ids
        return new_ids[0] if len(new_ids) == 1 else new_ids

    def exists(self, ids: list[int]) -> list[int]:
        return [rid for rid in _as_ids(ids) if rid in self._rows]

    def get_external_id(self, ids: list[int]) -> dict[str, str]:
        self.env.check_access(self, "read")
        result = {str(rid): "" for rid in _as_ids(ids)}
        data = self.env.tx.table("ir.model.data")
        keys = [(self._name, rid) for rid in _as_ids(ids)]
        for xid in data.lookup(("model", "res_id"), keys):
            row = data.peek(xid) or {}
            if str(row["res_id"]) in result:
                result[str(row["res_id"])] = f"{row['module']}.{row['name']}"
        return result

    @api_model
    def load(self, fields: list[str], data: list[list[Any]]) -> dict[str, Any]:
        """Odoo's import: an `id` column is an external id (created or updated), `.id` a
        database id, `x/id` and `x/.id` point many2one columns at other records."""
        self.env.check_access(self, "create")
        ids: list[int] = []
        messages: list[dict[str, Any]] = []
        module_default = self.env.context.get("module", "__import__")
        for index, row in enumerate(data):
            xmlid = None
            dbid = None
            vals: dict[str, Any] = {}
            try:
                for column, raw in zip(fields, row, strict=False):
                    if column == "id":
                        xmlid = raw or None
                        continue
                    if column == ".id":
                        dbid = int(raw) if raw not in (None, "", False) else None
                        continue
                    name, _, sub = column.partition("/")
                    f = self._fields.get(name)
                    if f is None:
                        raise OdooValueError(f"Invalid field {name!r} on model {self._name!r}")
                    vals[name] = self._load_value(f, sub, raw)
                if xmlid and " " in xmlid:
                    raise ValidationError(
                        "The operation cannot be completed: External IDs cannot contain spaces"
                    )
                full = None
                if xmlid:
                    # as in Odoo, an external id decides alone: `.id` is ignored next to it
                    full = xmlid if "." in xmlid else f"{module_default}.{xmlid}"
                    existing = self._xmlid_lookup(full)
                    dbid = existing if existing is not None and existing in self._rows else None
                if dbid is not None:
                    self._row(dbid)
                    self.write([dbid], vals)
                    rid = dbid
                else:
                    rid = self._create_one(vals)
                if full:
                    self._xmlid_store(full, rid)
                ids.append(rid)
            except (OdooValueError, ValidationError, UserError, MissingError) as exc:
                messages.append(
                    {
                        "type": "error",
                        "message": exc.message,
                        "record": index,
                        "rows": {"from": index, "to": index},
                    }
                )
        if messages:
            # Odoo rolls the whole import back when any row failed.
            raise _LoadFailed(messages)
        return {"ids": ids, "messages": [], "nextrow": 0}

    def _load_value(self, f: Field, sub: str, raw: Any) -> Any:
        if raw in (None, "", False):
            return False
        if f.type == "many2one":
            comodel = self.env[f.relation or ""].sudo_model()
            if sub == ".id":
                return int(raw)
            if sub == "id":
                found = comodel._xmlid_lookup(raw if "." in raw else f"__import__.{raw}")
                if found is None:
                    raise OdooValueError(
                        f"No matching record found for external id '{raw}' in field '{f.string}'"
                    )
                return found
            matches = comodel.name_search(str(raw), operator="=", limit=2)
            if not matches:
                raise OdooValueError(
                    f"No matching record found for name '{raw}' in field '{f.string}'"
                )
            return matches[0][0]
        if f.type == "boolean":
            return str(raw).lower() in ("1", "true", "yes")
        if f.type in ("float", "monetary"):
            return float(raw)
        if f.type == "integer":
            return int(raw)
        return raw

    def _xmlid_lookup(self, full: str) -> int | None:
        module, _, name = full.partition(".")
        for row in self.env.xmlid_rows(module, name):
            if row["model"] == self._name:
                return int(row["res_id"])
        return None

    def _xmlid_store(self, full: str, rid: int) -> None:
        module, _, name = full.partition(".")
        imd = self.env["ir.model.data"].sudo_model()
        for xid in imd._rows.lookup(("module", "name"), [(module, name)]):
            row = imd._peek(xid)
            if row:
                if row["res_id"] != rid or row["model"] != self._name:
                    imd._set(xid, "res_id", rid)
                    imd._set(xid, "model", self._name)
                return
        imd._create_one(
            {"module": module, "name": name, "model": self._name, "res_id": rid, "noupdate": False}
        )


class _LoadFailed(Exception):
    """load() reports row errors in its result instead of raising: see the server."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        super().__init__("load failed")
        self.messages = messages


def AttributeError_(method: str, model: str, version: int) -> Exception:
    from gateway.odoo.emulator.errors import OdooAttributeError

    if version >= 18:
        return OdooAttributeError(f"The method '{method}' does not exist on the model '{model}'")
    if version == 17:
        return OdooAttributeError(f"The method '{model}.{method}' does not exist")
    return OdooAttributeError(f"type object '{model}' has no attribute '{method}'")


_MAGIC = {"create_date", "write_date", "create_uid", "write_uid", "id"}


def _as_ids(ids: Any) -> list[int]:
    if isinstance(ids, bool) or ids is None:
        return []
    if isinstance(ids, int):
        return [ids]
    return [int(i) for i in ids]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def today() -> date:
    return datetime.now(UTC).date()


# Fields every model has (Odoo's magic columns).
MAGIC_FIELDS: dict[str, Field] = {
    "display_name": Field("char", "Display Name", readonly=True, store=False),
    "create_date": Field("datetime", "Created on", readonly=True),
    "write_date": Field("datetime", "Last Updated on", readonly=True),
    "create_uid": Field("many2one", "Created by", readonly=True, relation="res.users"),
    "write_uid": Field("many2one", "Last Updated by", readonly=True, relation="res.users"),
}


def _display_name_compute(model: BaseModel, rid: int) -> str:
    return model._display_name(rid)


MAGIC_FIELDS["display_name"].compute = _display_name_compute
BaseModel._declared_fields = MAGIC_FIELDS
