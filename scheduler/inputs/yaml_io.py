"""Reading and writing instance files (YAML) with messages that point at file, entry and field.

An instance lists its programmes either inline or as paths (relative to the instance file) to
rule sets under ``constraints/``. Loading never raises anything but :class:`InputError`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scheduler.domain import Instance, Programme
from scheduler.i18n import tr


class InputError(Exception):
    """Invalid input: every problem found, each with its location."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(
            f"{self.source}: {loc}: {msg}" if loc else f"{self.source}: {msg}"
            for loc, msg in self.problems
        )


def _entry_label(raw: Any, loc: tuple[int | str, ...]) -> str:
    """``units[3] (USO-KIR).capacity``: index plus the entry's id when the raw data has one."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and key < len(node):
                node = node[key]
                if isinstance(node, dict) and "id" in node:
                    label += f" ({node['id']})"
            else:
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)


# pydantic error type -> our message key: every common input error in the user's language.
_PYDANTIC_KEYS = {
    "string_type": "pd_string_type", "model_type": "pd_model_type", "model_attributes_type":
    "pd_model_type", "dict_type": "pd_dict_type", "list_type": "pd_list_type",
    "bool_parsing": "pd_bool", "bool_type": "pd_bool", "greater_than_equal": "pd_ge",
    "less_than_equal": "pd_le", "string_too_short": "pd_str_short",
    "string_too_long": "pd_str_long", "too_short": "pd_too_short",
    "string_pattern_mismatch": "pd_pattern", "literal_error": "pd_literal",
}


def pydantic_problems(err: ValidationError, raw: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for e in err.errors():
        loc = tuple(x for x in e["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        where = _entry_label(raw, loc)
        typ = e["type"]
        value = echo(e.get("input"))
        if typ == "missing":
            msg = tr("field_missing")
        elif typ == "extra_forbidden":
            msg = tr("field_extra")
        elif typ.startswith("int_"):
            msg = tr("invalid_int", value=value)
        elif typ.startswith("date_"):
            msg = tr("invalid_date", value=value)
        elif typ == "value_error":
            msg = str(e.get("ctx", {}).get("error", e["msg"]))
        elif typ in _PYDANTIC_KEYS:
            ctx = e.get("ctx", {})
            limit = next((ctx[k] for k in ("ge", "le", "min_length", "max_length")
                          if k in ctx), "")
            msg = tr(_PYDANTIC_KEYS[typ], value=value, limit=limit,
                     expected=echo_long(str(ctx.get("expected", ""))))
        else:
            msg = tr("invalid_value", detail=echo_long(e["msg"]))
        for line in msg.splitlines() or [msg]:
            out.append((where, line))
    return out


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so pydantic validates them and names the field
    (PyYAML's own timestamp parsing raises a bare ValueError on e.g. 2027-02-30)."""


class DuplicateKey(yaml.YAMLError):
    """A key given twice in one mapping: PyYAML keeps the last silently (``capacity: 3`` then
    ``capacity: 30`` became 30), so the file is refused, naming both lines."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    first: dict[Any, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in first:
                raise DuplicateKey(tr("duplicate_key", name=echo(key), first=first[key],
                                      line=line))
            first[key] = line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.construct_mapping = _construct_mapping  # type: ignore[method-assign,assignment]


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# Untrusted YAML (docs/SECURITY.md): a real region is ~25 KB and ~5 000 values. Beyond these a
# file is refused before it is read (size) or before its aliases are expanded (values): a 2.5 KB
# "billion laughs" of nested aliases otherwise runs for minutes and takes gigabytes.
MAX_INPUT_BYTES = 5_000_000
MAX_YAML_NODES = 200_000
MAX_ECHO = 80  # characters of an input value repeated in a message


class _TooLarge(Exception):
    pass


def _expanded_size(root: yaml.Node) -> int:
    """Values the document has once every alias is expanded (shared nodes counted each time
    they are used), stopping as soon as MAX_YAML_NODES is passed."""
    memo: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        memo[key] = 1  # a recursive alias counts once; the constructor refuses it later
        n = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                n += size(k) + size(v)
                if n > MAX_YAML_NODES:
                    raise _TooLarge
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                n += size(v)
                if n > MAX_YAML_NODES:
                    raise _TooLarge
        memo[key] = n
        return n

    return size(root)


def _load_yaml_text(text: str) -> Any:
    if len(text) > MAX_INPUT_BYTES:
        raise yaml.YAMLError(tr("input_too_large", size=len(text), most=MAX_INPUT_BYTES))
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            _expanded_size(node)
        except (_TooLarge, RecursionError):
            raise yaml.YAMLError(tr("yaml_too_many_nodes", most=MAX_YAML_NODES)) from None
        return loader.construct_document(node)
    finally:
        loader.dispose()


def echo(value: object) -> str:
    """An input value as shown in a message: at most MAX_ECHO characters."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO - 1] + "…"


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise InputError(str(path), [("", tr("file_not_found"))])
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputError(str(path), [("", tr("input_too_large", size=path.stat().st_size,
                                                  most=MAX_INPUT_BYTES))])
        data = path.read_bytes()
        return _load_yaml_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(str(path), [("", tr("not_utf8", guess=_guess_encoding(data)))]) from None
    except DuplicateKey as exc:
        raise InputError(str(path), [("", str(exc))]) from None
    except yaml.YAMLError as exc:
        msg = tr("yaml_error", error=echo_long(str(exc).replace("\n", " ")))
        raise InputError(str(path), [("", msg)]) from None


def _guess_encoding(data: bytes) -> str:
    """A name for the coordinator to recognise in the editor's "save as" dialogue."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:200]:
        return "UTF-16 (Unicode)"
    return "Latin-1 / Windows-1252 (ANSI)"


def echo_long(text: str, most: int = 400) -> str:
    """A parser's message (it quotes the line in question): cut at ``most`` characters."""
    return text if len(text) <= most else text[:most - 1] + "…"


def load_programme(path: Path) -> Programme:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(str(path), [("", tr("not_a_mapping"))])
    try:
        return Programme.model_validate(raw)
    except ValidationError as err:
        raise InputError(str(path), pydantic_problems(err, raw)) from None


def load_instance(path: str | Path) -> Instance:
    path = Path(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(str(path), [("", tr("not_a_mapping"))])
    progs = raw.get("programmes")
    if isinstance(progs, list):
        resolved: list[Any] = []
        for i, p in enumerate(progs):
            if isinstance(p, str):
                ppath = (path.parent / p).resolve()
                if not programme_path_allowed(path, ppath):
                    raise InputError(str(path), [
                        (f"programmes[{i}]", tr("programme_path_outside", path=echo(p)))])
                if not ppath.is_file():
                    raise InputError(str(path), [
                        (f"programmes[{i}]", tr("programme_file_not_found", path=p))])
                resolved.append(load_programme(ppath).model_dump(mode="json"))
            else:
                resolved.append(p)
        raw = {**raw, "programmes": resolved}
    try:
        return Instance.model_validate(raw)
    except ValidationError as err:
        raise InputError(str(path), pydantic_problems(err, raw)) from None


# The rule sets shipped with the program (a checkout's constraints/ folder).
SHIPPED_CONSTRAINTS = Path(__file__).resolve().parents[2] / "constraints"


def programme_path_allowed(instance_path: Path, programme_path: Path) -> bool:
    """A programme file an instance may name (``../../etc/passwd`` was read): a YAML
    file, after symlinks are resolved, inside the instance's folder, inside a ``constraints``
    folder beside the instance's folder or one of its parents (``../constraints/``, as in
    ``instances/`` and ``benchmarks/suite/*/``), or inside the shipped ``constraints/``."""
    target = programme_path.resolve()
    if target.suffix.lower() not in (".yaml", ".yml"):
        return False
    folder = instance_path.resolve().parent
    roots = [folder, SHIPPED_CONSTRAINTS] + [d / "constraints" for d in folder.parents]
    return any(target.is_relative_to(r) for r in roots)


def dump_instance(inst: Instance) -> str:
    """YAML text with every programme inline, so the file stands alone."""
    data = inst.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("programmes", [p.model_dump(mode="json") for p in inst.programmes])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def parse_instance_text(text: str, source: str = "<text>") -> Instance:
    raw = _load_yaml_text(text)
    try:
        return Instance.model_validate(raw)
    except ValidationError as err:
        raise InputError(source, pydantic_problems(err, raw)) from None


def input_hash(path: str | Path) -> str:
    """SHA-256 of the instance file and every programme file it refers to."""
    path = Path(path)
    h = hashlib.sha256(path.read_bytes())
    raw = _load_yaml_text(path.read_text(encoding="utf-8"))
    for p in raw.get("programmes", []) if isinstance(raw, dict) else []:
        if isinstance(p, str) and programme_path_allowed(path, path.parent / p) \
                and (path.parent / p).is_file():
            h.update((path.parent / p).read_bytes())
    return h.hexdigest()
