"""The text catalogue (``scheduler.i18n``): every entry in both languages, with the same
placeholders, and every key the code looks up is there."""

import ast
import functools
import string
from collections.abc import Callable
from pathlib import Path
from typing import get_args, get_type_hints

from scheduler import i18n
from scheduler.domain import Instance, Wish
from scheduler.i18n import CATALOGUE, tr
from scheduler.result import Status
from scheduler.workbook.schema import SETTING_ROWS

SCHEDULER = Path(i18n.__file__).resolve().parents[1]
# 'unknown_ref' names the kind with a Swedish noun that ``tr`` derives from {kind}.
DERIVED = {"kind_sv": "kind"}


def fields(template: str) -> set[str]:
    names = {name.split(".")[0].split("[")[0]
             for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    return {DERIVED.get(n, n) for n in names}


def problems(catalogue: dict) -> list[str]:
    """What is wrong with a catalogue: a missing language, differing placeholders."""
    out = []
    for key, pair in catalogue.items():
        if not (isinstance(pair, tuple) and len(pair) == 2
                and all(isinstance(s, str) for s in pair)):
            out.append(f"{key}: not a (sv, en) pair: {pair!r}")
            continue
        sv, en = pair
        if bool(sv.strip()) != bool(en.strip()):
            out.append(f"{key}: one language is empty: {pair!r}")
        elif fields(sv) != fields(en):
            out.append(f"{key}: placeholders differ: {sorted(fields(sv))} / {sorted(fields(en))}")
    return out


# --------------------------------------------------------------------------------------------
# Which keys the code looks up. A walk over the syntax trees follows the strings that can
# reach the key of ``tr``: both branches of ``a if c else b``, every operand of ``or``/``and``,
# f-strings over loop variables of literal tuples and lists, values of literal dicts, names
# bound to any of these, and helpers that pass their own parameter on as (part of) the key,
# such as ``msg(key)`` -> ``tr(f"workbook.{key}")``. A lookup guarded by ``has_text`` may miss.

UNKNOWN = "\x01"  # a part of a key the source does not tell
_OPAQUE = ast.Constant(value=None)  # what a name is bound to where the source does not tell
_SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _marker(param: str) -> str:
    return f"\x00{param}\x00"


class _Scope:
    """A module or function: its parameters and what each name is bound to."""

    def __init__(self, node: ast.AST, parent: "_Scope | None", parents: dict[ast.AST, ast.AST]):
        self.node, self.parent, self.parents = node, parent, parents
        self.owner: str | None = None  # the class of a method
        args = getattr(node, "args", None)
        every = args.posonlyargs + args.args + args.kwonlyargs if args else []
        self.params = [a.arg for a in every]
        self.annotations = {a.arg: ast.unparse(a.annotation) for a in every if a.annotation}

    @functools.cached_property
    def binds(self) -> dict[str, list[tuple[ast.expr, ast.expr | None]]]:
        """What each name is bound to: (value, None) or, in a loop, (iterable, target)."""
        self._binds: dict[str, list[tuple[ast.expr, ast.expr | None]]] = {}
        for n in _own(self.node):
            if isinstance(n, ast.Assign | ast.AnnAssign | ast.NamedExpr) and n.value is not None:
                for t in n.targets if isinstance(n, ast.Assign) else [n.target]:
                    self._bind(t, n.value)
            elif isinstance(n, ast.For | ast.comprehension):
                for name in ast.walk(n.target):
                    if isinstance(name, ast.Name):
                        self._binds.setdefault(name.id, []).append((n.iter, n.target))
            elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
                self._binds.setdefault(n.target.id, []).append((_OPAQUE, None))
        return self._binds

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._binds.setdefault(target.id, []).append((value, None))
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(
                target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts, strict=True):
                self._bind(t, v)
        else:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    self._binds.setdefault(name.id, []).append((_OPAQUE, None))

    def class_of(self, name: str) -> str | None:
        """The class of the object ``name`` is, where an annotation or ``C(...)`` says it."""
        found = self.lookup(name)
        if found is None:
            return None
        where, binds = found
        made = {v.func.id for v, t in binds
                if t is None and isinstance(v, ast.Call) and isinstance(v.func, ast.Name)}
        return (where.annotations.get(name) if not binds
                else next(iter(made)) if len(made) == 1 else None)

    def loop_of(self, node: ast.AST, name: str) -> ast.For | ast.comprehension | None:
        """The innermost loop or comprehension around ``node`` that binds ``name``."""
        while node is not self.node and node in self.parents:
            up = self.parents[node]
            loops = ([up] if isinstance(up, ast.For) and node is not up.iter
                     else up.generators[::-1] if isinstance(up, ast.ListComp | ast.SetComp
                                                             | ast.GeneratorExp | ast.DictComp)
                     else [])
            for loop in loops:
                if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(loop.target)):
                    return loop
            node = up
        return None

    def last_assigned(self, use: ast.Name) -> ast.expr | None:
        """The value of the last ``name = value`` before ``use`` in a block around it: the
        one ``use`` reads, whatever other assignments to the name the function has."""
        around: set[ast.AST] = set()
        node: ast.AST = use
        while node in self.parents:
            node = self.parents[node]
            around.add(node)
        best = None
        for value, target in self.binds.get(use.id, []):
            stmt = self.parents.get(value)
            if (target is None and isinstance(stmt, ast.Assign | ast.AnnAssign)
                    and self.parents.get(stmt) in around and stmt not in around
                    and (stmt.lineno, stmt.col_offset) < (use.lineno, use.col_offset)
                    and (best is None or stmt.lineno > best[0])):
                best = (stmt.lineno, value)
        return best[1] if best else None

    def lookup(self, name: str) -> "tuple[_Scope, list] | None":
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.binds:
                return scope, scope.binds[name]
            if name in scope.params:
                return scope, []
            scope = scope.parent
        return None


def _own(node: ast.AST):
    """The nodes of ``node``'s own scope: not inside a nested function."""
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(child, _SCOPES):
            yield from _own(child)


def _values(e: ast.expr, scope: _Scope, depth: int = 0) -> set[str]:
    """Every string ``e`` can be; UNKNOWN for a part the source does not tell, a marker for
    a parameter of the function ``e`` is in."""
    if depth > 12:
        return {UNKNOWN}
    if isinstance(e, ast.Constant):
        return {e.value} if isinstance(e.value, str) else {UNKNOWN}
    if isinstance(e, ast.IfExp):
        return _values(e.body, scope, depth + 1) | _values(e.orelse, scope, depth + 1)
    if isinstance(e, ast.BoolOp):
        return set().union(*(_values(v, scope, depth + 1) for v in e.values))
    if isinstance(e, ast.JoinedStr):
        out = {""}
        for part in e.values:
            if isinstance(part, ast.FormattedValue) and part.format_spec is None:
                vs = _values(part.value, scope, depth + 1)
            elif isinstance(part, ast.Constant):
                vs = {str(part.value)}
            else:
                vs = {UNKNOWN}
            out = {a + b for a in out for b in vs}
        return out
    if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name):
        dicts = [v for v in _bound(e.value.id, scope) if isinstance(v, ast.Dict)]
        if dicts:
            return set().union(*(_values(v, scope, depth + 1) for d in dicts for v in d.values))
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and not e.args and (
            e.func.attr in ("lower", "upper")):
        return {getattr(str, e.func.attr)(v) for v in _values(e.func.value, scope, depth + 1)}
    if isinstance(e, ast.Name) and (loop := scope.loop_of(e, e.id)) is not None:
        return _picked(loop.iter, loop.target, e.id, scope, depth + 1)
    if isinstance(e, ast.Name):
        found = scope.lookup(e.id)
        if found is None:
            return {UNKNOWN}
        where, binds = found
        if not binds:  # a parameter
            return {_marker(e.id)} if where is scope else {UNKNOWN}
        if where is scope and (last := scope.last_assigned(e)) is not None:
            return _values(last, scope, depth + 1)
        out = set()
        for value, target in binds:
            if target is None:
                out |= _values(value, where, depth + 1)
            else:
                out |= _picked(value, target, e.id, where, depth + 1)
        return out
    return {UNKNOWN}


def _bound(name: str, scope: _Scope) -> list[ast.expr]:
    found = scope.lookup(name)
    return [v for v, t in found[1] if t is None] if found else []


def _elements(e: ast.expr, scope: _Scope) -> list[ast.expr] | None:
    """The elements of a literal sequence (through names, ``+``, comprehensions and
    ``enumerate``), or None."""
    if isinstance(e, ast.List | ast.Tuple | ast.Set):
        return None if any(isinstance(x, ast.Starred) for x in e.elts) else list(e.elts)
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
        left, right = _elements(e.left, scope), _elements(e.right, scope)
        return None if left is None or right is None else left + right
    if isinstance(e, ast.ListComp | ast.GeneratorExp):
        return [e.elt]
    if isinstance(e, ast.Name):
        found = scope.lookup(e.id)
        if found is None or not found[1] or any(t is not None for _, t in found[1]):
            return None
        out: list[ast.expr] = []
        for value, _ in found[1]:
            part = _elements(value, found[0])
            if part is None:
                return None
            out += part
        return out
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.args:
        inner = _elements(e.args[0], scope)
        if e.func.id == "enumerate" and inner is not None:
            return [ast.Tuple(elts=[ast.Constant(0), x]) for x in inner]
        if e.func.id in ("list", "tuple", "sorted", "reversed"):
            return inner
    return None


def _picked(iterable: ast.expr, target: ast.expr, name: str, scope: _Scope,
            depth: int) -> set[str]:
    """The values ``name`` in loop target ``target`` takes over ``iterable``."""
    elements = _elements(iterable, scope)
    if elements is None:
        return {UNKNOWN}
    out: set[str] = set()
    for x in elements:
        t: ast.expr = target
        while not isinstance(t, ast.Name):
            subs: list[ast.expr] = getattr(t, "elts", [])
            i = next((i for i, sub in enumerate(subs)
                      if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(sub))),
                     None)
            if i is None or not isinstance(x, ast.Tuple | ast.List) or len(x.elts) != len(subs):
                return {UNKNOWN}
            t, x = subs[i], x.elts[i]
        out |= _values(x, scope, depth)
    return out


class LookedUp:
    def __init__(self) -> None:
        self.keys: dict[str, list[str]] = {}  # key -> the lookups ("path:line") asking it
        self.dynamic: set[str] = set()  # "path: key expression" the source does not tell


def _guarded(key: ast.expr, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether the lookup of ``key`` runs only where ``has_text(key)`` said yes: such a key
    may be missing (the caller falls back to something else)."""
    same = {ast.unparse(key)}
    node: ast.AST = key
    while node in parents:
        node = parents[node]
        for n in ast.walk(getattr(node, "test", None) or ast.Pass()):
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "has_text" and n.args:
                asked = n.args[0]
                if {ast.unparse(asked), ast.unparse(getattr(asked, "target", asked))} & same:
                    return True
    return False


def looked_up(root: Path) -> LookedUp:
    """The keys the code under ``root`` asks ``tr`` and its helpers for."""
    calls: list[tuple[str, ast.Call, _Scope]] = []
    defs: dict[str, list[tuple[ast.FunctionDef, str | None]]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text())
        parents: dict[ast.AST, ast.AST] = {}

        def visit(node: ast.AST, scope: _Scope) -> None:
            for child in ast.iter_child_nodes(node):
                parents[child] = node  # noqa: B023
                inner = (_Scope(child, scope, parents)  # noqa: B023
                         if isinstance(child, _SCOPES) else scope)
                if isinstance(node, ast.ClassDef) and inner is not scope:
                    inner.owner = node.name
                if isinstance(child, ast.Call):
                    calls.append((rel, child, scope))  # noqa: B023
                if isinstance(child, ast.FunctionDef):
                    owner = parents.get(child)  # noqa: B023
                    defs.setdefault(child.name, []).append(
                        (child, owner.name if isinstance(owner, ast.ClassDef) else None))
                visit(child, inner)

        visit(tree, _Scope(tree, None, parents))

    # A helper passes one parameter on into the key: name -> (parameter, its position,
    # its default, its class if a method, the keys it asks with the parameter as a marker).
    helpers: dict[str, tuple[str, int, ast.expr | None, str | None, frozenset[str]]] = {
        "tr": ("key", 0, None, None, frozenset({_marker("key")}))}
    while True:
        out, found = LookedUp(), dict(helpers)
        for rel, call, scope in calls:
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
            if name not in helpers:
                continue
            param, pos, default, cls, templates = helpers[name]
            if cls is not None:  # a method: only on a receiver known to be of its class
                recv = getattr(call.func, "value", None)
                if not (isinstance(recv, ast.Name) and cls == (
                        scope.owner if recv.id == "self" else scope.class_of(recv.id))):
                    continue
                pos -= 1
            elif not isinstance(call.func, ast.Name) or (
                    name != "tr" and (bound := scope.lookup(name)) and bound[0].parent):
                continue  # a method of another class, or a local name (a callback)
            arg = next((k.value for k in call.keywords if k.arg == param),
                       call.args[pos] if len(call.args) > pos else default)
            if arg is None or _guarded(arg, scope.parents):
                continue
            for key in {t.replace(_marker(param), v) for t in templates
                        for v in _values(arg, scope)}:
                if UNKNOWN in key:
                    out.dynamic.add(f"{rel}: {ast.unparse(arg)}")
                elif "\x00" not in key:
                    full = key if "." in key else f"{i18n.DEFAULT_AREA}.{key}"
                    out.keys.setdefault(full, []).append(f"{rel}:{call.lineno}")
                elif isinstance(scope.node, ast.FunctionDef):  # scope is a helper too
                    fn, own = scope.node, key.split("\x00")[1]
                    params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
                    defaults = dict(zip(params[::-1], fn.args.defaults[::-1], strict=False))
                    held = found.get(fn.name)
                    marks = held[4] if held and held[0] == own else frozenset()
                    if own in params:
                        found[fn.name] = (own, params.index(own), defaults.get(own),
                                          next(c for d, c in defs[fn.name] if d is fn),
                                          marks | {key})
        if found == helpers:
            return out
        helpers = found


def _first_args(rel: str, callee: str) -> list[ast.expr]:
    """The first argument of every call whose callee ends in ``callee`` in file ``rel``."""
    tree = ast.parse((SCHEDULER / rel).read_text())
    return [c.args[0] for c in ast.walk(tree)
            if isinstance(c, ast.Call) and c.args and ast.unparse(c.func).endswith(callee)]


def _strings(nodes: list[ast.expr]) -> list[str]:
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


# The lookups whose key rests on data, each with every key it can ask, taken from where the
# data is defined. A new lookup of this kind fails the test until it is added here.
DYNAMIC: dict[str, Callable[[], list[str]]] = {
    "cli/generate.py: f'cli_generate.{key}'": lambda: [
        f"cli_generate.{k}" for k in _strings([t.elts[1] for t in _first_args(
            "generator/params.py", "out.append") if isinstance(t, ast.Tuple)])],
    "report/excel/layout.py: f'dates.month_{month.month:02d}'": lambda: [
        f"dates.month_{m:02d}" for m in range(1, 13)],
    "report/picture.py: f'dates.mon_{f.month:02d}'": lambda: [
        f"dates.mon_{m:02d}" for m in range(1, 13)],
    "report/excel/tables.py: f'excel.fairness_{instance.fairness}'": lambda: [
        f"excel.fairness_{m}" for m in get_args(Instance.model_fields["fairness"].annotation)],
    "report/excel/tables.py: f'excel.status_{result.status.value}'": lambda: [
        f"excel.status_{s.value}" for s in Status],
    "report/explanation.py: f'explanation.part_{p}'": lambda: [
        f"explanation.part_{p}" for p in _strings(_first_args("solver/explain.py",
                                                               "ran_out.append"))],
    "wishes.py: f'wish_text_{w.kind}'": lambda: [
        f"messages.wish_text_{k}" for k in get_args(get_type_hints(Wish)["kind"])],
    "workbook/pseudonym.py: f'workbook.pseudonym_{self.kind}'": lambda: [
        f"workbook.pseudonym_{k}" for k in _strings(_first_args("workbook/pseudonym.py",
                                                                "PseudonymKeyError"))],
    "workbook/template.py: f'workbook.help_{col.key}'": lambda: [
        f"workbook.help_{c.key}" for c in SETTING_ROWS],
}


def test_every_entry_has_both_languages_and_the_same_placeholders():
    assert problems(CATALOGUE) == []


def test_the_check_finds_a_planted_missing_translation_and_placeholder():
    planted = dict(CATALOGUE)
    planted["excel.sheet_plan"] = ("Placeringar", "")
    planted["cli.written"] = ("Plan skriven till {dir}", "Plan written to {folder}")
    planted["cli.status"] = ("Status",)  # type: ignore[assignment]
    found = problems(planted)
    assert len(found) == 3, found
    assert any(f.startswith("excel.sheet_plan: one language") for f in found)
    assert any(f.startswith("cli.written: placeholders differ") for f in found)


def test_areas_are_the_modules_and_keys_do_not_clash():
    # Each area module's keys appear once, as "area.key"; 'messages' is the default area.
    total = sum(len(text) for text in i18n.AREAS.values())
    assert len(CATALOGUE) == total
    modules = {p.stem for p in (SCHEDULER / "i18n").glob("*.py")} - {"__init__"}
    assert set(i18n.AREAS) == modules
    assert tr("not_monday", "en", value="x") == tr("messages.not_monday", "en", value="x")


def _untold(keys: list[str]) -> list[str]:
    """The keys with no text in Swedish or in English (a missing entry: in neither)."""
    return sorted(k for k in keys if not all(s.strip() for s in CATALOGUE.get(k, ("", ""))))


def test_every_key_the_code_looks_up_is_in_the_catalogue_in_both_languages():
    found = looked_up(SCHEDULER)
    assert len(found.keys) > 400
    assert [f"{key} ({', '.join(found.keys[key])})" for key in _untold(list(found.keys))] == []
    # Lookups the source alone cannot name are listed in DYNAMIC with the keys they can ask.
    assert sorted(found.dynamic) == sorted(DYNAMIC)
    for site, keys in DYNAMIC.items():
        asked = keys()
        assert len(asked) >= 2, site  # the data behind each was found
        assert _untold(asked) == [], site


def test_the_walk_finds_keys_in_branches_loops_and_helpers(tmp_path):
    (tmp_path / "m.py").write_text(
        "def msg(key, lang=None):\n"
        "    return tr(f'workbook.{key}', lang)\n"
        "def _int(v, key='not_int'):\n"
        "    return msg(key)\n"
        "def f(ok, d):\n"
        "    tr('changes.yes' if ok else 'no')\n"
        "    tr(d.get('k') or 'rosters.no')\n"
        "    for i, k in enumerate(('trainee', 'unit')):\n"
        "        tr(f'excel.{k}')\n"
        "    _int(d), _int(d, key='not_capacity')\n"
        "    key = 'a' if ok else d.kind\n"
        "    msg(key)\n"
        "    return tr(_T[ok]) + (tr(f'x.{d}') if has_text(f'x.{d}') else d)\n"
        "_T = {'a': 'pd_bool', 'b': 'pd_ge'}\n")
    found = looked_up(tmp_path)
    assert set(found.keys) == {"changes.yes", "messages.no", "rosters.no", "excel.trainee",
                               "excel.unit", "workbook.not_int", "workbook.not_capacity",
                               "workbook.a", "messages.pd_bool", "messages.pd_ge"}
    # The guarded has_text lookup is not counted; these two are beyond the source:
    assert found.dynamic == {"m.py: d.get('k') or 'rosters.no'", "m.py: key"}


def test_lookup_language_and_fields():
    assert tr("dates.week", "sv", week=19, year=2028) == "v. 19 2028"
    assert tr("dates.week", "en", week=19, year=2028) == "week 19 2028"
    assert tr("unknown_ref", "sv", kind="unit", id="x") == "enheten 'x' finns inte"
    assert tr("unknown_ref", "en", kind="unit", id="x") == "unknown unit 'x'"
