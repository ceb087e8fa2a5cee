"""A picture of the plan (plan.png, plan.pdf): a Gantt chart per start and a unit-load heatmap.

The PNG is one overview image (every start, then the heatmap); the PDF has one A3 landscape
page per start and one for the heatmap, for printing. One colour per discipline, as in the
workbook; each bar carries the unit's short name; the x axis shows months. The heatmap shows
placed/capacity per unit and week: a coordinator sees at once where units are full (dark) or
over capacity (red).

matplotlib runs with the Agg backend (no display; safe in threads and on servers).
"""

from __future__ import annotations

import io as _io
from collections import defaultdict
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")

from matplotlib import dates as mdates  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from scheduler.domain import Instance, Trainee, introduction_mondays  # noqa: E402
from scheduler.i18n import Lang, discipline_name, language, tr, week_text  # noqa: E402
from scheduler.plan import Stint  # noqa: E402
from scheduler.report.names import by_start, short_names  # noqa: E402

# The workbook's colours (scheduler.report.excel.DISCIPLINE_COLOURS), repeated to keep this
# module free of openpyxl.
COLOURS = {"medicin": "#9DC3E6", "kirurgi": "#A9D18E", "psykiatri": "#C9B3E6",
           "allmanmedicin": "#FFD966", "akut": "#F4B183", "valfri": "#8FD9D0",
           "forskning": "#D9C3A5"}
OTHER = "#D0D0D0"
INTRO = "#E7E6E6"  # the workbook's neutral introduction fill
ROW_INCH = 0.16  # height of one trainee row
WIDTH_INCH = 16.5  # A3 landscape


def _month_axis(ax, start: date, end: date, lang: Lang) -> None:
    """Months as grid lines (one collection), labels every quarter: matplotlib's tick objects
    are what costs time in a chart of many panels."""
    ax.set_xlim(mdates.date2num(start), mdates.date2num(end))
    firsts = []
    d = date(start.year, start.month, 1)
    while d < end:
        if d >= start:
            firsts.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    ax.vlines([mdates.date2num(f) for f in firsts], 0, 1, transform=ax.get_xaxis_transform(),
              colors="#E0E0E0", linewidths=0.5, zorder=0)
    quarters = [f for f in firsts if f.month in (1, 4, 7, 10)]
    ax.set_xticks([mdates.date2num(f) for f in quarters],
                  [f"{tr(f'dates.mon_{f.month:02d}', lang)} {f.year}" for f in quarters],
                  fontsize=6)


def _row_labels(ax, labels: list[str]) -> None:
    """Row names as plain text left of the axes (cheaper than one tick per row)."""
    ax.set_yticks([])
    ytr = ax.get_yaxis_transform()
    for row, label in enumerate(labels):
        ax.text(-0.005, row, label, transform=ytr, ha="right", va="center", fontsize=5)


def _gantt(ax, start_day: date, group: list[Trainee], by_trainee: dict[str, list[Stint]],
           short: dict[str, str], instance: Instance, today: date | None, lang: Lang) -> None:
    h0, h1 = instance.horizon.start, instance.horizon.end
    span_days = (h1 - h0).days
    ax.set_title(tr("picture.start", lang, day=start_day.isoformat(),
                    week=week_text(start_day, lang),
                    n=len(group)), loc="left", fontsize=8, fontweight="bold")
    # One collection of rectangles per chart: thousands of bars draw in milliseconds.
    verts, colours = [], []
    for row, t in enumerate(group):
        for s in by_trainee.get(t.id, []):
            x0, x1 = mdates.date2num(s.start), mdates.date2num(s.end)
            verts.append([(x0, row - 0.4), (x1, row - 0.4), (x1, row + 0.4), (x0, row + 0.4)])
            colours.append(COLOURS.get(s.discipline, OTHER))
            # A label only where it fits (about 1.2 % of the horizon per character at 4.5 pt).
            width = (s.end - s.start).days
            label = short.get(s.unit, s.unit)
            if width / span_days > 0.012 * len(label):
                ax.text((x0 + x1) / 2, row, label, ha="center", va="center", fontsize=4.5,
                        clip_on=True)
    ax.add_collection(PolyCollection(verts, facecolors=colours, edgecolors="#404040",
                                     linewidths=0.3, gid="stints"))
    # Introduction weeks: service at no unit, a neutral hatched bar of their own.
    intro = []
    for row, t in enumerate(group):
        runs: list[list[date]] = []  # [first, end) per run of weeks (leave may split them)
        for d in introduction_mondays(t, instance.programme(t.programme)):
            if runs and runs[-1][1] == d:
                runs[-1][1] = d + timedelta(weeks=1)
            else:
                runs.append([d, d + timedelta(weeks=1)])
        for a, b in runs:
            x0, x1 = mdates.date2num(a), mdates.date2num(b)
            intro.append([(x0, row - 0.4), (x1, row - 0.4), (x1, row + 0.4), (x0, row + 0.4)])
    if intro:
        ax.add_collection(PolyCollection(intro, facecolors=INTRO, edgecolors="#A6A6A6",
                                         linewidths=0.3, hatch="///", gid="introduction"))
    _row_labels(ax, [t.id for t in group])
    ax.set_ylim(len(group) - 0.5, -0.5)
    _month_axis(ax, h0, h1, lang)
    if today is not None:
        ax.axvline(mdates.date2num(today), color="#C00000", linewidth=1)


def _heatmap(fig: Figure, ax, instance: Instance, stints: list[Stint], short: dict[str, str],
             today: date | None, lang: Lang) -> None:
    import numpy as np

    n = instance.n_weeks
    units = instance.units
    placed = np.zeros((len(units), n))
    row_of = {u.id: i for i, u in enumerate(units)}
    for s in stints:
        if s.unit in row_of:
            for w in range(max(0, instance.week_index(s.start)),
                           min(n, instance.week_index(s.end))):
                placed[row_of[s.unit], w] += 1
    ratio = np.full((len(units), n), np.nan)
    for i, u in enumerate(units):
        for w in range(n):
            cap = u.capacity_in_week(instance.week_date(w))
            if cap is None:
                continue  # no limit: left white
            ratio[i, w] = placed[i, w] / cap if cap > 0 else (2.0 if placed[i, w] else 0.0)
    # 0 .. 1 from white to dark blue; above 1 (over capacity) red.
    shown = np.where(ratio > 1.0 + 1e-9, 1.5, np.minimum(ratio, 1.0))
    blues = matplotlib.colormaps["Blues"](np.linspace(0.0, 0.85, 10))
    cmap = ListedColormap(blues).with_extremes(over=(0.85, 0.1, 0.1, 1.0), bad="white")
    h0 = mdates.date2num(instance.horizon.start)
    h1 = mdates.date2num(instance.horizon.end)
    img = ax.imshow(np.ma.masked_invalid(shown), aspect="auto", cmap=cmap, vmin=0, vmax=1.0,
                    interpolation="nearest", extent=(h0, h1, len(units) - 0.5, -0.5))
    _row_labels(ax, [short[u.id] + ("" if u.capacity is not None else
                                    " " + tr("picture.unlimited", lang)) for u in units])
    ax.set_title(tr("picture.load", lang), loc="left", fontsize=8, fontweight="bold")
    _month_axis(ax, instance.horizon.start, instance.horizon.end, lang)
    if today is not None:
        ax.axvline(mdates.date2num(today), color="#C00000", linewidth=1)
    # The colour bar beside the axes, not taken from them: the weeks line up with the Gantt.
    bar = fig.colorbar(img, cax=ax.inset_axes((1.004, 0.0, 0.006, 1.0)), ticks=[0, 0.5, 1.0],
                       extend="max")
    bar.ax.set_yticklabels(["0 %", "50 %", "100 %"], fontsize=5)


def _legend(fig: Figure, instance: Instance, lang: Lang, y: float) -> None:
    used = {d for u in instance.units for d in u.disciplines}
    handles = [Patch(facecolor=c, edgecolor="#404040", label=discipline_name(d, lang))
               for d, c in COLOURS.items() if d in used]
    if used - set(COLOURS):
        handles.append(Patch(facecolor=OTHER, edgecolor="#404040", label=tr("picture.other", lang)))
    if any(p.introduction_weeks for p in instance.programmes):
        handles.append(Patch(facecolor=INTRO, edgecolor="#A6A6A6", hatch="///",
                             label=tr("picture.intro", lang)))
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), fontsize=7,
               frameon=False, bbox_to_anchor=(0.5, y))


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(WIDTH_INCH, height))
    FigureCanvasAgg(fig)
    return fig


def _by_trainee(stints: list[Stint]) -> dict[str, list[Stint]]:
    out: dict[str, list[Stint]] = defaultdict(list)
    for s in sorted(stints):
        out[s.trainee].append(s)
    return out


def _title(instance: Instance, lang: Lang, plan_day: date | None) -> str:
    return tr("picture.title", lang, region=instance.name,
              day=(plan_day or date.today()).isoformat())


def overview(instance: Instance, stints: list[Stint], lang: Lang = "sv",
             today: date | None = None, plan_day: date | None = None) -> Figure:
    """The PNG's figure: a Gantt chart per start (one axes each, in start order), then the
    unit-load heatmap."""
    short = short_names(instance)
    by_trainee = _by_trainee(stints)
    groups = by_start(instance.all_trainees())
    heights = [max(1.0, ROW_INCH * len(g) + 0.45) for _, g in groups]
    load_h = max(1.5, ROW_INCH * 0.8 * len(instance.units) + 0.5)
    total = sum(heights) + load_h + 0.9
    fig = _figure(total)
    grid = fig.add_gridspec(len(groups) + 1, 1, height_ratios=[*heights, load_h],
                            top=1 - 0.75 / total, bottom=0.35 / total, left=0.09, right=0.97,
                            hspace=0.9 / max(1.0, total / (len(groups) + 1)))
    fig.suptitle(_title(instance, lang, plan_day), fontsize=11, fontweight="bold",
                 y=1 - 0.12 / total)
    _legend(fig, instance, lang, 1 - 0.35 / total)
    for k, (day, group) in enumerate(groups):
        _gantt(fig.add_subplot(grid[k]), day, group, by_trainee, short, instance, today, lang)
    _heatmap(fig, fig.add_subplot(grid[len(groups)]), instance, stints, short, today, lang)
    return fig


def build_pictures(instance: Instance, stints: list[Stint], lang: Lang | None = None,
                   today: date | None = None, plan_day: date | None = None
                   ) -> tuple[bytes, bytes]:
    """``(plan.png, plan.pdf)`` of the plan (``lang``: default the process's language)."""
    lang = lang or language()
    png = _io.BytesIO()
    overview(instance, stints, lang, today, plan_day).savefig(png, format="png", dpi=110)
    short = short_names(instance)
    by_trainee = _by_trainee(stints)
    groups = by_start(instance.all_trainees())
    title = _title(instance, lang, plan_day)

    # PDF: one A3 landscape page per start (several small starts share a page), then the
    # heatmap, for printing.
    pdf = _io.BytesIO()
    page_rows = int((11.7 - 1.6) / ROW_INCH)
    with PdfPages(pdf, metadata={"Creator": "atbt-scheduler", "Title": title}) as pages:
        batch: list[tuple[date, list[Trainee]]] = []

        def flush() -> None:
            if not batch:
                return
            page = _figure(11.7)
            rows = [max(3, len(g)) for _, g in batch]
            sub = page.add_gridspec(len(batch), 1, height_ratios=rows, top=0.9, bottom=0.05,
                                    left=0.09, right=0.97, hspace=0.5)
            page.suptitle(title, fontsize=11, fontweight="bold", y=0.985)
            _legend(page, instance, lang, 0.955)
            for k, (day, group) in enumerate(batch):
                _gantt(page.add_subplot(sub[k]), day, group, by_trainee, short, instance,
                       today, lang)
            pages.savefig(page)
            batch.clear()

        used = 0
        for day, group in groups:
            for part in range(0, max(1, len(group)), page_rows):  # a huge start: several pages
                chunk = group[part:part + page_rows]
                if used + len(chunk) + 3 > page_rows:
                    flush()
                    used = 0
                batch.append((day, chunk))
                used += len(chunk) + 3
        flush()
        page = _figure(11.7)
        page.suptitle(title, fontsize=11, fontweight="bold", y=0.985)
        ax = page.add_subplot(1, 1, 1)
        page.subplots_adjust(top=0.93, bottom=0.05, left=0.09, right=0.97)
        _heatmap(page, ax, instance, stints, short, today, lang)
        pages.savefig(page)
    return png.getvalue(), pdf.getvalue()
