"""Comparison workbook and charts of a what-if sweep (or a batch of instances).

One row per scenario (status, objective terms, trainees planned, unit load peaks and slack, the
difference to the base), one row per scenario and unit with its load peak and slack, and per
scenario a load heatmap (unit x week, load / capacity) and a supervisor-utilisation chart, as
PNG files and as pictures in the workbook. Charts are drawn with matplotlib's Agg backend (no
display needed).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: batch runs have no display
import matplotlib.pyplot as plt  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from openpyxl.drawing.image import Image as XlImage  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from scheduler.domain import Instance  # noqa: E402
from scheduler.i18n import Lang, has_text, language, tr  # noqa: E402
from scheduler.outputs import defuse_formulas, write_atomic  # noqa: E402
from scheduler.report.printing import print_setup  # noqa: E402
from scheduler.solver.model import TERMS, capacity_profiles  # noqa: E402
from scheduler.whatif.runner import Outcome, status_counts  # noqa: E402

HEAD = PatternFill("solid", fgColor="DDEBF7")
BAD = PatternFill("solid", fgColor="F8CBAD")


def per_start(inst: Instance | None, kind: str, o: Outcome | None = None) -> float | None:
    """Trainees of ``kind`` (AT, BT) per start of that kind in a variant: planned ones when
    ``o`` has a plan, else the intake asked for; None when the variant has no such start."""
    if inst is None:
        return None
    people = [t for t in inst.all_trainees() if inst.programme(t.programme).kind == kind]
    starts = {t.start for t in people}
    if not starts:
        return None
    if o is not None and o.ok:
        planned = {s.trainee for s in o.stints}
        people = [t for t in people if t.id in planned]
    return round(len(people) / len(starts), 1)


def slug(name: str) -> str:
    """A file-name-safe form of a scenario name."""
    s = re.sub(r"[^\w.+-]+", "_", name, flags=re.UNICODE).strip("._")
    return s[:80] or "scenario"


@dataclass
class UnitLoad:
    unit: str
    name: str
    capacity: int | None  # the largest weekly capacity, None = no limit
    peak: int
    min_slack: int | None
    weeks_full: int
    utilisation: float | None  # trainee-weeks / capacity-weeks, percent


@dataclass
class Metrics:
    loads: list[UnitLoad]
    grid: list[list[float]]  # per unit and week: load / capacity (load / peak if unlimited)
    peak_util: float | None
    full_units: int
    full_weeks: int
    slack: int

    def busiest(self, k: int = 3) -> str:
        ranked = sorted((u for u in self.loads if u.capacity), key=lambda u: (
            -(u.peak / u.capacity if u.capacity else 0), -u.weeks_full, u.unit))
        return ", ".join(f"{u.unit} {u.peak}/{u.capacity}" for u in ranked[:k] if u.peak)


def metrics(inst: Instance, o: Outcome) -> Metrics:
    H = inst.n_weeks
    load: dict[str, list[int]] = {u.id: [0] * H for u in inst.units}
    for s in o.stints:
        for w in range(max(0, inst.week_index(s.start)), min(H, inst.week_index(s.end))):
            load[s.unit][w] += 1
    prof = capacity_profiles(inst)
    loads, grid = [], []
    full_weeks = slack = 0
    peak_util: float | None = None
    for u in inst.units:
        lw, cp = load[u.id], prof[u.id]
        if cp is None:
            top = max(lw) or 1
            grid.append([x / top for x in lw])
            loads.append(UnitLoad(u.id, u.name, None, max(lw), None, 0, None))
            continue
        grid.append([x / c if c else (1.0 if x else 0.0) for x, c in zip(lw, cp, strict=True)])
        full = sum(1 for x, c in zip(lw, cp, strict=True) if c > 0 and x >= c)
        spare = [c - x for x, c in zip(lw, cp, strict=True) if c > 0]
        full_weeks += full
        slack += sum(spare)
        capw = sum(cp)
        util = 100.0 * sum(lw) / capw if capw else None
        for x, c in zip(lw, cp, strict=True):
            if c > 0:
                peak_util = max(peak_util or 0.0, 100.0 * x / c)
        loads.append(UnitLoad(u.id, u.name, max(cp), max(lw), min(spare, default=None), full,
                              util))
    return Metrics(loads, grid, peak_util, sum(1 for u in loads if u.weeks_full), full_weeks,
                   slack)


# ------------------------------------------------------------------------------- charts


def heatmap_png(inst: Instance, m: Metrics, title: str, lang: Lang) -> bytes:
    n = len(inst.units)
    fig, ax = plt.subplots(figsize=(11, 1.6 + 0.16 * n), dpi=80)
    im = ax.imshow(m.grid, aspect="auto", cmap="YlOrRd", vmin=0, vmax=1,
                   interpolation="nearest")
    ax.set_yticks(range(n), [u.id for u in inst.units], fontsize=6)
    step = max(1, inst.n_weeks // 12)
    ticks = list(range(0, inst.n_weeks, step))
    ax.set_xticks(ticks, [inst.week_date(w).strftime("%Y-%m") for w in ticks], fontsize=7,
                  rotation=45, ha="right")
    ax.set_title(f"{title}: {tr('whatif.heatmap', lang)}", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.025, pad=0.01)
    return _png(fig)


def utilisation_png(m: Metrics, title: str, lang: Lang) -> bytes:
    rows = [u for u in m.loads if u.capacity]
    fig, ax = plt.subplots(figsize=(6, 1.6 + 0.16 * max(1, len(rows))), dpi=80)
    ys = range(len(rows))
    ax.barh(ys, [u.utilisation or 0 for u in rows], color="#5B9BD5",
            label=tr("whatif.mean", lang) + " %")
    ax.plot([100 * u.peak / u.capacity if u.capacity else 0 for u in rows], ys, "|",
            color="#C00000", markersize=7, label=tr("whatif.peak", lang) + " %")
    ax.set_yticks(list(ys), [u.unit for u in rows], fontsize=6)
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"{title}: {tr('whatif.util_chart', lang)}", fontsize=9)
    return _png(fig)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


# ------------------------------------------------------------------------------ workbook


@dataclass
class Row:
    """One scenario of the report: its instance (None when it was invalid) and outcome."""

    name: str
    instance: Instance | None
    outcome: Outcome
    description: str = ""
    changes: str = ""


def write_report(rows: list[Row], out_dir: Path, lang: Lang | None = None,
                 base: str | None = "base", filename: str = "whatif.xlsx",
                 charts: bool = True) -> Path:
    """Write the comparison workbook and the PNG charts to ``out_dir``; returns the workbook."""
    lang = lang or language()
    out_dir.mkdir(parents=True, exist_ok=True)
    mets = {r.name: metrics(r.instance, r.outcome) for r in rows
            if r.instance is not None and r.outcome.ok}
    pngs = _write_charts(rows, mets, out_dir, lang) if charts else {}

    wb = Workbook()
    ws = wb.active
    ws.title = tr("whatif.sheet_compare", lang)
    _compare_sheet(ws, rows, mets, base, lang)

    wu = wb.create_sheet(tr("whatif.sheet_units", lang))
    wu.append([tr(f"whatif.{k}", lang) for k in ("scenario", "unit", "name", "capacity", "peak",
                                                 "min_slack", "weeks_full", "utilisation")])
    for r in rows:
        m = mets.get(r.name)
        for u in m.loads if m else []:
            wu.append([r.name, u.unit, u.name, u.capacity, u.peak, u.min_slack, u.weeks_full,
                       round(u.utilisation, 1) if u.utilisation is not None else None])
    _style(wu)

    wsc = wb.create_sheet(tr("whatif.sheet_scenarios", lang))
    wsc.append([tr(f"whatif.{k}", lang) for k in ("scenario", "description", "changes")])
    for r in rows:
        wsc.append([r.name, r.description, r.changes])
    _style(wsc, wrap=True)

    if pngs:
        _charts_sheet(wb.create_sheet(tr("whatif.sheet_charts", lang)), pngs)
    # Counts per status: proven infeasible apart from no plan in time and timed out.
    wsum = wb.create_sheet(tr("whatif.sheet_summary", lang))
    wsum.append([tr("whatif.status", lang), tr("whatif.count", lang)])
    for status, n in status_counts([r.outcome for r in rows]).items():
        wsum.append([status_text(status, lang), n])
    _style(wsum)
    path = out_dir / filename
    region = next((r.instance.name for r in rows if r.instance is not None), "")
    for sheet in wb.worksheets:  # A4 landscape, one page wide, titles repeated
        print_setup(sheet, lang, region, grid=False, landscape=True)
    buf = io.BytesIO()
    defuse_formulas(wb).save(buf)  # names are text, never formulas
    write_atomic(path, buf.getvalue())
    return path


def _write_charts(rows: list[Row], mets: dict, out_dir: Path, lang: Lang) -> dict[str, list[bytes]]:
    """The heat map and utilisation chart of each solved scenario, written as PNG files."""
    pngs: dict[str, list[bytes]] = {}
    for r in rows:
        if r.name not in mets:
            continue
        assert r.instance is not None
        pics = [heatmap_png(r.instance, mets[r.name], r.name, lang),
                utilisation_png(mets[r.name], r.name, lang)]
        for kind, data in zip(("heatmap", "utilisation"), pics, strict=True):
            write_atomic(out_dir / "png" / f"{kind}-{slug(r.name)}.png", data)
        pngs[r.name] = pics
    return pngs


def _compare_sheet(ws, rows: list[Row], mets: dict, base: str | None, lang: Lang) -> None:
    """One row per scenario: outcome, objective terms, unit load and the change from ``base``."""
    base_row = next((r for r in rows if r.name == base and r.outcome.ok), None)
    terms = [t for t in TERMS if any(t in r.outcome.terms for r in rows)]
    kinds = [k for k in ("AT", "BT")
             if any(per_start(r.instance, k) is not None for r in rows)]
    head = [tr(f"whatif.{k}", lang) for k in ("scenario", "status", "proven_infeasible",
                                              "out_of_time", "objective")] + [
        tr(f"whatif.{k.lower()}_per_start", lang) for k in kinds] + [
        tr(f"whatif.{t}", lang) if has_text(f"whatif.{t}") else t for t in terms] + [
        tr(f"whatif.{k}", lang) for k in ("trainees", "planned", "peak_util", "busiest",
                                          "full_units", "full_weeks", "slack")]
    if base_row is not None:
        head += [tr(f"whatif.{k}", lang) for k in ("d_objective", "d_planned", "d_slack")]
        if "AT" in kinds:
            head.append(tr("whatif.d_at_per_start", lang))
    head += [tr("whatif.time", lang), tr("whatif.message", lang)]
    ws.append(head)
    for r in rows:
        o = r.outcome
        m = mets.get(r.name)
        st = status_text(o.status, lang)
        yes = tr("whatif.yes", lang)
        line: list = [r.name, st, yes if o.proven_infeasible else None,
                      yes if o.out_of_time else None, o.objective] + [
            per_start(r.instance, k, o) for k in kinds] + [
            o.terms.get(t) for t in terms] + [
            o.trainees, o.planned if o.ok else None,
            round(m.peak_util, 1) if m and m.peak_util is not None else None,
            m.busiest() if m else None, m.full_units if m else None,
            m.full_weeks if m else None, m.slack if m else None]
        if base_row is not None:
            line += _change_from_base(r, base_row, mets, "AT" in kinds)
        line += [round(o.wall_time, 1), o.message]
        ws.append(line)
        if not o.ok:
            for c in ws[ws.max_row]:
                c.fill = BAD
    _style(ws)


def _change_from_base(r: Row, base_row: Row, mets: dict, at: bool) -> list:
    """Objective, planned trainees, slack (and AT per start) of ``r`` minus the base's."""
    o, bo = r.outcome, base_row.outcome
    m, bm = mets.get(r.name), mets.get(base_row.name)
    out = [o.objective - bo.objective if o.objective is not None and
           bo.objective is not None else None,
           o.planned - bo.planned if o.ok else None,
           m.slack - bm.slack if m and bm else None]
    if at:
        a, b = per_start(r.instance, "AT", o), per_start(base_row.instance, "AT", bo)
        out.append(round(a - b, 1) if o.ok and a is not None and b is not None else None)
    return out


def _charts_sheet(wc, pngs: dict[str, list[bytes]]) -> None:
    """Each scenario's two charts side by side, under its name."""
    row = 1
    for name, (heat, util) in pngs.items():
        wc.cell(row=row, column=1, value=name).font = Font(bold=True)
        h = 0
        for col, data in (("A", heat), ("P", util)):
            img = XlImage(io.BytesIO(data))
            wc.add_image(img, f"{col}{row + 1}")
            h = max(h, img.height)
        row += 2 + int(h / 20)  # default row height is 20 px


def _style(ws, wrap: bool = False) -> None:
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = HEAD
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    for i, col in enumerate(ws.columns, start=1):
        width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(9, width * 0.9 + 2))
        if wrap:
            for c in col:
                c.alignment = Alignment(wrap_text=True, vertical="top")


def status_text(status: str, lang: Lang) -> str:
    """A run's outcome in words; an unknown status as it is."""
    key = f"whatif.status_{status}"
    return tr(key, lang) if has_text(key) else status


def write_capacity_workbook(inst: Instance, rep, path: Path, lang: Lang | None = None) -> Path:
    """The ``atbt capacity`` answer as a workbook: intake, bottlenecks, marginal value."""
    from scheduler.whatif.capacity import marginal_summary

    lang = lang or language()
    wb = Workbook()
    ws = wb.active
    ws.title = tr("capacity.sheet_intake", lang)
    ws.append([tr(f"capacity.{k}", lang) for k in ("start", "programme", "kind", "site", "base",
                                                   "max", "offered", "status", "bound")])
    for s in rep.starts:
        for g in s.groups:
            ws.append([s.start, g.programme, g.kind, g.site, g.base, g.admitted, g.candidates,
                       status_text(s.status, lang),
                       s.bound])
    _style(ws)
    wb_ = wb.create_sheet(tr("capacity.sheet_binding", lang))
    wb_.append([tr(f"capacity.{k}", lang) for k in ("start", "unit", "name", "weeks_full", "first",
                                                    "last", "marginal")])
    for s in rep.starts:
        for b in s.binding:
            wb_.append([s.start, b.unit, b.name, b.weeks_full, b.first, b.last, b.marginal])
    _style(wb_)
    wm = wb.create_sheet(tr("capacity.sheet_marginal", lang))
    wm.append([tr(f"capacity.{k}", lang) for k in ("unit", "name", "kind", "starts_binding",
                                                   "per_year")])
    for row in marginal_summary(inst, rep):
        wm.append(list(row))  # a unit never re-solved has no value (blank), not 0
    _style(wm)
    joint = getattr(rep, "joint", None)
    if joint is not None and len(rep.starts) > 1:  # one start: the Intake sheet says it
        wj = wb.create_sheet(tr("capacity.sheet_joint", lang))
        wj.append([tr(f"capacity.{k}", lang) for k in ("start", "programme", "kind", "site", "base",
                                                       "max", "offered", "status", "bound")])
        for g in joint.groups:
            wj.append([g.start, g.programme, g.kind, g.site, g.base, g.admitted, g.candidates,
                       status_text(joint.status, lang), joint.bound])
        _style(wj)
        wj.append([])
        wj.append([tr("capacity.joint_note", lang)])
    answers = getattr(rep, "unit_answers", [])
    if answers:
        wa = wb.create_sheet(tr("capacity.sheet_unit", lang))
        wa.append([tr(f"capacity.{k}", lang) for k in ("unit", "added", "start", "kind", "before",
                                                       "after", "delta", "exact")])
        yes, no = tr("capacity.yes", lang), tr("capacity.no", lang)
        for a in answers:
            wa.append([a.unit, a.add, a.start or tr("capacity.all_starts", lang), a.kind, a.before,
                       a.after, a.delta, yes if a.exact else no])
        _style(wa)
    for sheet in wb.worksheets:  # A4 landscape, one page wide, titles repeated
        print_setup(sheet, lang, inst.name, grid=False, landscape=True)
    buf = io.BytesIO()
    defuse_formulas(wb).save(buf)  # names are text, never formulas
    write_atomic(path, buf.getvalue())
    return path
