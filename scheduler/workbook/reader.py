"""Read the coordinator's workbook into an :class:`~scheduler.domain.Instance`, strictly.

The workbook is untrusted input. It is parsed by openpyxl with defusedxml (XML entity attacks
are refused), its unpacked size is capped, formulas are never evaluated (a formula cell counts
as its saved value, or is refused when it has none) and macros are never run (openpyxl does not
execute them; only ``.xlsx`` is accepted).

Every problem is collected, then raised at once as one
:class:`~scheduler.inputs.yaml_io.InputError` whose locations read like ``Enheter, rad 14,
Kapacitet``: the sheet, the row number as Excel shows it and the column header as written in the
workbook. Checks run in two rounds: cell values, references and each entry's own rules first
(all reported together); the instance-wide checks of :func:`~scheduler.validation.instance_problems`
(a block outside the horizon, ...) only once the first round is clean, since they need every
entry.

The file, sheets and cells are read by ``sheets.SheetReader`` (cell values by ``cells``); the
reader here builds the instance's entries from the rows.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from scheduler.domain import (
    Cohort,
    Instance,
    MemberFacts,
    Programme,
    Site,
    Trainee,
    Unit,
    Wish,
)
from scheduler.i18n import tr
from scheduler.inputs.yaml_io import InputError
from scheduler.workbook import schema as S
from scheduler.workbook.cells import FORMULA, UNLIMITED, norm, parse_cell
from scheduler.workbook.schema import msg
from scheduler.workbook.sheets import Row, SheetReader, Where


class _Reader(SheetReader):
    """The entries of the instance, from the rows of each sheet."""

    def here(self, sheet: str, row: Row, fields: dict[str, str] | None = None) -> Where:
        """Provenance of ``row``: instance field -> column key (default: the same name)."""
        heads = self.headers[sheet]
        fmap = fields if fields is not None else {k: k for k in heads}
        return Where(self.titles[sheet], row.n,
                     {f: (row.n, heads[k]) for f, k in fmap.items() if k in heads})

    def unique(self, sheet: str, rows: list[Row], key: str = "id") -> dict[str, Row]:
        seen: dict[str, Row] = {}
        for r in rows:
            v = r.values.get(key)
            if v is None:
                continue
            if v in seen:
                self.cell_problem(sheet, r.n, key, msg("duplicate", value=v, other=seen[v].n))
            else:
                seen[v] = r
        return seen

    def ref(self, sheet: str, row: Row, key: str, ids: set[str] | dict[str, Any],
            kind: str) -> bool:
        v = row.values.get(key)
        if v is None:
            return False
        if v not in ids:
            self.cell_problem(sheet, row.n, key, tr("unknown_ref", kind=kind, id=v))
            row.bad.add(key)
            return False
        return True

    def build(self, rows: dict[str, list[Row]]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        self.settings(rows["settings"], data)
        data["programmes"] = self.programmes(rows)
        prog_ids = self.unique("programmes", rows["programmes"])
        site_rows = self.unique("sites", rows["sites"])
        data["sites"] = []
        for r in rows["sites"]:
            i = len(data["sites"])
            self.prov[("sites", i)] = self.here("sites", r)
            data["sites"].append(self.entry(Site, dict(r.values), ("sites", i), r))
        data["units"] = self.units(rows, prog_ids, site_rows)
        unit_ids = {u.get("id") for u in data["units"]}
        cohort_rows = self.unique("cohorts", rows["cohorts"])
        data["cohorts"] = []
        for r in rows["cohorts"]:
            i = len(data["cohorts"])
            self.ref("cohorts", r, "programme", prog_ids, "programme")
            self.ref("cohorts", r, "site", site_rows, "site")
            self.prov[("cohorts", i)] = self.here("cohorts", r)
            data["cohorts"].append(self.entry(Cohort, dict(r.values), ("cohorts", i), r))
        data["trainees"] = self.trainees(rows, prog_ids, site_rows, unit_ids, cohort_rows,
                                         data["cohorts"])
        self.travel_and_wishes(rows, data, site_rows, unit_ids)
        return data

    def travel_and_wishes(self, rows: dict[str, list[Row]], data: dict[str, Any],
                          site_rows: dict[str, Row], unit_ids: set[Any]) -> None:
        """The Restider sheet into each site's ``travel_minutes``; the Önskemål sheet into
        ``wishes`` (a wish that can never be met is reported at its row by validation)."""
        index = {s.get("id"): i for i, s in enumerate(data["sites"])}
        for r in rows["travel"]:
            ok = self.ref("travel", r, "from", site_rows, "site")
            ok = self.ref("travel", r, "to", site_rows, "site") and ok
            if not ok or r.bad or "minutes" not in r.values:
                continue
            i = index[r.values["from"]]
            site = data["sites"][i]
            self.prov[("sites", i, "travel_minutes", r.values["to"])] = self.here(
                "travel", r, {"": "minutes"})
            site.setdefault("travel_minutes", {})[r.values["to"]] = r.values["minutes"]
        data["wishes"] = []
        for r in rows["wishes"]:
            i = len(data["wishes"])
            self.prov[("wishes", i)] = self.here("wishes", r)
            v = dict(r.values)
            data["wishes"].append(self.entry(Wish, v, ("wishes", i), r))

    def entry(self, model: type[BaseModel], values: dict[str, Any], prefix: tuple[Any, ...],
              row: Row | None, extra_bad: set[tuple[Any, ...]] | None = None) -> dict[str, Any]:
        """Validate one entry on its own (its own rules); report problems at its cells."""
        bad = {(b,) for b in row.bad} if row else set()
        bad |= extra_bad or set()
        try:
            model.model_validate(values)
        except ValidationError as err:
            self.validation_problems(err, prefix, {prefix + b for b in bad})
        return values

    def settings(self, rows: list[Row], data: dict[str, Any]) -> None:
        sheet = "settings"
        by_label = {}
        for c in S.SETTING_ROWS:
            by_label[norm(c.sv)] = c
            by_label[norm(c.en)] = c
        got: dict[str, tuple[Row, str, Any]] = {}
        for r in rows:
            label = r.values.get("setting")
            if label is None:
                if "value" in r.values:
                    self.cell_problem(sheet, r.n, "setting", msg("required"))
                continue
            setting = by_label.get(norm(label))
            if setting is None:
                self.cell_problem(sheet, r.n, "setting", msg("unknown_setting", value=label))
                continue
            c = setting
            if c.key in got:
                self.cell_problem(sheet, r.n, "setting", msg("setting_twice", value=label))
                continue
            raw = r.values.get("value")
            value = None
            if raw is not None:
                try:
                    value = parse_cell(c, raw)
                except ValueError as exc:
                    self.add(self.where(sheet, r.n, str(label).strip()), str(exc),
                             self.titles[sheet], r.n)
                    value = FORMULA
            elif "value" in r.bad:
                value = FORMULA
            got[c.key] = (r, str(label).strip(), value)
        for c in S.SETTING_ROWS:
            if c.required and (c.key not in got or got[c.key][2] is None):
                if c.key in got:
                    n = got[c.key][0].n
                    self.add(self.where(sheet, n, got[c.key][1]), msg("required"),
                             self.titles[sheet], n)
                else:
                    self.add(self.titles[sheet], msg("setting_missing", value=c.label(
                        "en" if self.titles[sheet] == S.SETTINGS.en else "sv")),
                        self.titles[sheet])
        title = self.titles[sheet]

        def put(target: dict[str, Any], name: str, key: str, w: Where) -> None:
            if key in got:
                r, label, value = got[key]
                w.cols[name] = (r.n, label)
                if value is not None and value is not FORMULA:
                    target[name] = value

        top = Where(title, None)
        for k in ("name", "description", "assumptions", "today"):
            put(data, k, k, top)
        self.prov[()] = top
        horizon: dict[str, Any] = {}
        hw = Where(title, None)
        put(horizon, "start", "horizon_start", hw)
        put(horizon, "end", "horizon_end", hw)
        self.prov[("horizon",)] = hw
        data["horizon"] = horizon
        weights: dict[str, Any] = {}
        ww = Where(title, None)
        for k in ("unit_changes", "fragmentation", "staffing_shortfall", "peak_utilisation",
                  "wishes", "travel", "worst", "spacing"):
            put(weights, k, k, ww)
        self.prov[("weights",)] = ww
        data["weights"] = weights
        put(data, "fairness", "fairness", top)

    def programmes(self, rows: dict[str, list[Row]]) -> list[dict[str, Any]]:
        from scheduler.workbook.template import rulesets

        files = rulesets()
        by_id: dict[str, list[tuple[str, Row]]] = {}
        known = {r.values["id"] for r in rows["programmes"] if "id" in r.values}
        for sheet in ("requirements", "groups"):
            for r in rows[sheet]:
                if self.ref(sheet, r, "programme", known, "programme"):
                    by_id.setdefault(r.values["programme"], []).append((sheet, r))
        out: list[dict[str, Any]] = []
        for r in rows["programmes"]:
            i = len(out)
            prefix = ("programmes", i)
            self.prov[prefix] = self.here("programmes", r, {
                "id": "id", "name": "name", "kind": "kind", "regulation": "regulation",
                "source": "source", "length_weeks": "length_weeks", "ends_with": "ends_with",
                "introduction_weeks": "introduction_weeks"})
            self.prov[prefix + ("starts_with",)] = self.here("programmes", r, {
                "discipline": "starts_with", "weeks": "starts_weeks",
                "same_unit_as_end": "same_unit_as_end"})
            v = r.values
            ruleset = v.get("ruleset")
            if ruleset is not None:
                out.append(self.ruleset_programme(r, str(ruleset).strip(), files, by_id))
                continue
            prog: dict[str, Any] = {k: v[k] for k in ("id", "name", "kind", "regulation",
                                                      "source", "length_weeks", "ends_with",
                                                      "introduction_weeks")
                                    if k in v}
            if any(k in v for k in ("starts_with", "starts_weeks", "same_unit_as_end")):
                prog["starts_with"] = {k: v[c] for k, c in (
                    ("discipline", "starts_with"), ("weeks", "starts_weeks"),
                    ("same_unit_as_end", "same_unit_as_end")) if c in v}
            bad: set[tuple[Any, ...]] = {(b,) for b in r.bad}
            renamed = {"starts_with": ("starts_with", "discipline"),
                       "starts_weeks": ("starts_with", "weeks"),
                       "same_unit_as_end": ("starts_with", "same_unit_as_end")}
            bad = {renamed.get(b[0], b) for b in bad}
            reqs: list[dict[str, Any]] = []
            groups: list[dict[str, Any]] = []
            for sheet, rr in by_id.get(v.get("id", ""), []):
                if sheet == "requirements":
                    k = len(reqs)
                    self.prov[prefix + ("requirements", k)] = self.here(sheet, rr)
                    reqs.append({f: rr.values[f] for f in ("discipline", "min_weeks",
                                                           "max_weeks") if f in rr.values})
                    bad |= {("requirements", k, b) for b in rr.bad}
                else:
                    k = len(groups)
                    self.prov[prefix + ("group_requirements", k)] = self.here(sheet, rr)
                    groups.append({f: rr.values[f] for f in ("name", "disciplines", "min_weeks",
                                                             "max_weeks") if f in rr.values})
                    bad |= {("group_requirements", k, b) for b in rr.bad}
            prog["requirements"] = reqs
            if groups:
                prog["group_requirements"] = groups
            out.append(self.entry(Programme, prog, prefix, None, bad))
        return out

    def ruleset_programme(self, r: Row, name: str, files: list[tuple[str, Programme]],
                          by_id: dict[str, list[tuple[str, Row]]]) -> dict[str, Any]:
        sheet = "programmes"
        match = next(((f, p) for f, p in files if f == name or f == name + ".yaml"), None)
        if match is None:
            match = next(((f, p) for f, p in files if p.id == name), None)
        if match is None:
            self.cell_problem(sheet, r.n, "ruleset", msg(
                "unknown_ruleset", value=name, choices=", ".join(f for f, _ in files) or "-"))
            return {k: r.values[k] for k in ("id",) if k in r.values}
        fname, p = match
        self.used_files.append(S.CONSTRAINTS_DIR / fname)
        v = r.values
        if v.get("id") is not None and v["id"] != p.id:
            self.cell_problem(sheet, r.n, "id", msg("ruleset_id", file=fname, id=p.id,
                                                    value=v["id"]))
        sw = p.starts_with
        expected: dict[str, Any] = {
            "name": p.name, "kind": p.kind, "regulation": p.regulation, "source": p.source,
            "length_weeks": p.length_weeks, "ends_with": p.ends_with,
            "introduction_weeks": p.introduction_weeks or None,
            "starts_with": sw.discipline if sw else None, "starts_weeks": sw.weeks if sw else None,
            "same_unit_as_end": sw.same_unit_as_end if sw else None}
        for key, want in expected.items():
            got = v.get(key)
            if got is None or got == want or (key == "same_unit_as_end" and got is False
                                              and want is None):
                continue
            if isinstance(got, str) and isinstance(want, str) and norm(got) == norm(want):
                continue
            shown = "-" if want is None else want
            self.cell_problem(sheet, r.n, key, msg("ruleset_differs", file=fname,
                                                   value=f"'{shown}'"))
        for sh, rr in by_id.get(p.id, []):
            self.cell_problem(sh, rr.n, "programme", msg("ruleset_rows", id=p.id, file=fname))
        return p.model_dump()

    def per_unit_programme(self, sheet: str, rows: dict[str, list[Row]],
                           unit_rows: dict[str, Row], prog_ids: dict[str, Row]
                           ) -> dict[str, dict[str, Row]]:
        """Rows of a sheet keyed by unit and programme (stint weeks, seats): unknown
        references and a second row for the same pair are problems of their cells."""
        out: dict[str, dict[str, Row]] = {}
        for r in rows[sheet]:
            ok = self.ref(sheet, r, "unit", unit_rows, "unit")
            ok = self.ref(sheet, r, "programme", prog_ids, "programme") and ok
            if not ok:
                continue
            per = out.setdefault(r.values["unit"], {})
            pid = r.values["programme"]
            if pid in per:
                self.cell_problem(sheet, r.n, "programme", msg(
                    "duplicate", value=f"{r.values['unit']} {pid}", other=per[pid].n))
                continue
            per[pid] = r
        return out

    def units(self, rows: dict[str, list[Row]], prog_ids: dict[str, Row],
              site_rows: dict[str, Row]) -> list[dict[str, Any]]:
        unit_rows = self.unique("units", rows["units"])
        changes: dict[str, list[Row]] = {}
        for r in rows["capacity_changes"]:
            if self.ref("capacity_changes", r, "unit", unit_rows, "unit"):
                changes.setdefault(r.values["unit"], []).append(r)
        stints = self.per_unit_programme("stint_weeks", rows, unit_rows, prog_ids)
        seats = self.per_unit_programme("seats", rows, unit_rows, prog_ids)
        out: list[dict[str, Any]] = []
        for r in rows["units"]:
            i = len(out)
            prefix = ("units", i)
            self.ref("units", r, "site", site_rows, "site")
            v = dict(r.values)
            bad: set[tuple[Any, ...]] = {(b,) for b in r.bad}
            for pid in v.get("programmes") or []:
                if pid not in prog_ids:
                    self.cell_problem("units", r.n, "programmes",
                                      tr("unknown_ref", kind="programme", id=pid))
            if v.get("capacity") is UNLIMITED:
                v["capacity"] = None
            target = {k: v.pop(c) for k, c in (("trainees", "target"), ("start", "target_start"),
                                               ("end", "target_end")) if c in v}
            self.prov[prefix] = self.here("units", r)
            self.prov[prefix + ("staffing_target",)] = self.here("units", r, {
                "trainees": "target", "start": "target_start", "end": "target_end"})
            if target and "trainees" not in target:
                if "target" not in r.bad:
                    self.cell_problem("units", r.n, "target", msg("target_without_count"))
            elif target:
                v["staffing_target"] = target
            bad = {("staffing_target", {"target": "trainees", "target_start": "start",
                                        "target_end": "end"}[b[0]]) if b[0].startswith("target")
                   else b for b in bad}
            ccs = []
            for k, cr in enumerate(changes.get(v.get("id", ""), [])):
                self.prov[prefix + ("capacity_changes", k)] = self.here("capacity_changes", cr)
                ccs.append({f: cr.values[f] for f in ("start", "end", "capacity")
                            if f in cr.values})
                bad |= {("capacity_changes", k, b) for b in cr.bad}
            if ccs:
                v["capacity_changes"] = ccs
            sws = {}
            for pid, sr in stints.get(v.get("id", ""), {}).items():
                self.prov[prefix + ("stint_weeks", pid)] = self.here("stint_weeks", sr)
                sws[pid] = {f: sr.values[f] for f in ("min_weeks", "max_weeks")
                            if f in sr.values}
                bad |= {("stint_weeks", pid, b) for b in sr.bad}
            if sws:
                v["stint_weeks"] = sws
            heads = self.headers["seats"]
            for field_, col in (("capacity_by_programme", "most"), ("reserved_seats", "reserved")):
                got = {pid: sr.values[col] for pid, sr in seats.get(v.get("id", ""), {}).items()
                       if sr.values.get(col) is not None}
                if got:
                    v[field_] = got
                    self.prov[prefix + (field_,)] = Where(self.titles["seats"], None, {
                        pid: (sr.n, heads[col]) for pid, sr in
                        seats.get(v.get("id", ""), {}).items() if col in heads})
                bad |= {(field_, pid) for pid, sr in seats.get(v.get("id", ""), {}).items()
                        if col in sr.bad}
            out.append(self.entry(Unit, v, prefix, None, bad))
        return out

    def trainees(self, rows: dict[str, list[Row]], prog_ids: dict[str, Row],
                 site_rows: dict[str, Row], unit_ids: set[Any],
                 cohort_rows: dict[str, Row],
                 cohorts: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        trainee_rows = self.unique("trainees", rows["trainees"])
        members = {f"{cid}-{k:0{max(2, len(str(r.values.get('count', 1))))}d}": cid
                   for cid, r in cohort_rows.items()
                   for k in range(1, int(r.values.get("count", 0) or 0) + 1)}
        for r in rows["trainees"]:  # an individual may not reuse a cohort member's id
            tid = r.values.get("id")
            if tid in members:
                self.cell_problem("trainees", r.n, "id", tr("duplicate_id", id=tid))
        per: dict[str, dict[str, list[Row]]] = {}
        for sheet in ("leave", "locked"):
            for r in rows[sheet]:
                tid = r.values.get("trainee")
                if tid is None:
                    continue
                if tid not in trainee_rows and tid not in members:
                    self.cell_problem(sheet, r.n, "trainee",
                                      tr("unknown_ref", kind="trainee", id=tid))
                    continue
                if sheet == "locked":
                    self.ref(sheet, r, "unit", unit_ids, "unit")
                per.setdefault(tid, {}).setdefault(sheet, []).append(r)
        out: list[dict[str, Any]] = []
        for r in rows["trainees"]:
            i = len(out)
            prefix = ("trainees", i)
            self.ref("trainees", r, "programme", prog_ids, "programme")
            self.ref("trainees", r, "site", site_rows, "site")
            self.prov[prefix] = self.here("trainees", r)
            v = dict(r.values)
            bad: set[tuple[Any, ...]] = {(b,) for b in r.bad}
            first = trainee_rows.get(v.get("id", "")) is r  # a duplicate id gets no rows
            for sheet in ("leave", "locked"):
                items = []
                for k, lr in enumerate(per.get(v.get("id", ""), {}).get(sheet, [])
                                       if first else []):
                    self.prov[prefix + (sheet, k)] = self.here(sheet, lr)
                    items.append({f: x for f, x in lr.values.items() if f != "trainee"})
                    bad |= {(sheet, k, b) for b in lr.bad}
                if items:
                    v[sheet] = items
            out.append(self.entry(Trainee, v, prefix, None, bad))
        if cohorts is not None:
            self.member_facts(rows, members, site_rows, per, cohorts)
        return out

    def member_facts(self, rows: dict[str, list[Row]], members: dict[str, str],
                     site_rows: dict[str, Row], per: dict[str, dict[str, list[Row]]],
                     cohorts: list[dict[str, Any]]) -> None:
        """Cohort members with facts of their own (the Kohortmedlemmar sheet, and leave and
        locked stints under a member's id) as ``overrides`` of their cohorts."""
        member_rows = self.unique("members", rows["members"])
        for r in rows["members"]:
            mid = r.values.get("id")
            if mid is not None and mid not in members:
                self.cell_problem("members", r.n, "id", msg("not_member", value=mid))
                r.bad.add("id")
            self.ref("members", r, "site", site_rows, "site")
        index = {c.get("id"): i for i, c in enumerate(cohorts)}
        ids = [m for m in members if m in member_rows or m in per]
        for mid in ids:
            ci = index.get(members[mid])
            if ci is None:
                continue
            c = cohorts[ci]
            k = len(c.setdefault("overrides", []))
            prefix = ("cohorts", ci, "overrides", k)
            mrow = member_rows.get(mid)
            v: dict[str, Any] = {"id": mid}
            bad: set[tuple[Any, ...]] = set()
            if mrow is not None:
                self.prov[prefix] = self.here("members", mrow)
                v.update(mrow.values)
                bad |= {(b,) for b in mrow.bad}
            for sheet in ("leave", "locked"):
                items = []
                for j, lr in enumerate(per.get(mid, {}).get(sheet, [])):
                    self.prov[prefix + (sheet, j)] = self.here(sheet, lr)
                    if mrow is None and prefix not in self.prov:
                        self.prov[prefix] = self.here(sheet, lr, {})
                    items.append({f: x for f, x in lr.values.items() if f != "trainee"})
                    bad |= {(sheet, j, b) for b in lr.bad}
                if items:
                    v[sheet] = items
            c["overrides"].append(self.entry(MemberFacts, v, prefix, None, bad))


# Instance lists kept on a sheet of their own: an empty list is reported at that sheet.
def read_workbook(path: str | Path) -> Instance:
    """The instance in the workbook at ``path``; :class:`InputError` listing every problem."""
    return load_workbook_instance(path)[0]


def load_workbook_instance(path: str | Path) -> tuple[Instance, str]:
    """The instance and the SHA-256 of the workbook and the rule-set files it names."""
    path = Path(path)
    reader = _Reader(path)
    formulas, values = reader.open()
    rows = reader.read_sheets(formulas, values)
    if reader.structural:  # entries would be checked against missing data: stop here
        raise InputError(str(path), reader.sorted_problems())
    data = reader.build(rows)
    if reader.problems:
        raise InputError(str(path), reader.sorted_problems())
    try:
        inst = Instance.model_validate(data)
    except ValidationError as err:
        reader.validation_problems(err, (), set())
        raise InputError(str(path), reader.sorted_problems()) from None
    h = hashlib.sha256(path.read_bytes())
    for f in reader.used_files:
        h.update(f.read_bytes())
    return inst, h.hexdigest()
