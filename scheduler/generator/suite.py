"""The benchmark suite: 40 seeded regions of every kind and size, written under one folder.

Most have 20-200 trainees, several 200-600, two are Stockholm size (7 hospitals, >= 150 units,
800-1 000 trainees). Tight and loose, slack per class of unit, leave-heavy and part-time-heavy,
the Gävle pattern, AT21 Jönköping and Enköping, pedagogical AT and BT-heavy regions of the
2027-2030 shift. Each folder holds region.yaml and witness.csv; README.md lists them.
Regenerating gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scheduler.generator.build import build
from scheduler.generator.emit import Generated, render, write
from scheduler.generator.params import Params
from scheduler.outputs import write_atomic

# Slack per class of unit over its trainees at once, a packed witness, wide stint ranges at
# the county hospitals and staffed vårdcentraler: a university hospital and two county
# hospitals with much room on the wards and little in psychiatry and general practice, as
# the shipped instances/ describe their regions.
MIXED = "hospital=45,psykiatri=25,allmanmedicin=20"
# What makes instances/orebro.yaml hard for the first plan, over the settings above: AT
# stint ranges exact or 1-2 weeks wide (one placement solve per trainee, where ranges let
# kind-mates share a rotation), and capacities a coordinator's staggered plan needs, 1.8-2.1
# seats per trainee at mid-horizon instead of 2.1-2.6 (Örebro 1.6).
EXACT_STAGGER: dict = {"staffing": True, "wide_stints": True, "pack": True,
                       "exact_stints": True, "stagger": True}


def _p(name: str, kind: str, n: int, sites: int, tight: str = "tight", seed: int = 1,
       **kw: object) -> Params:
    return Params(kind=kind, trainees=n, sites=sites, tightness=tight, seed=seed, name=name,
                  **kw)  # type: ignore[arg-type]


SUITE: list[Params] = [
    # small and mid-size (20-200)
    _p("at18-20-tight", "at18", 20, 1, starts=2, seed=11),
    _p("at18-40-loose", "at18", 40, 1, "loose", seed=12),
    _p("at18-bt12-60-tight", "at18,bt12", 60, 2, seed=13),
    _p("at18-bt12-90-staffing", "at18,bt12", 90, 2, seed=14, staffing=True),
    _p("at18-bt12-150-tight", "at18,bt12", 150, 3, seed=15, leave=5, part_time=5, locked=5),
    _p("gavle-50-tight", "gavle", 50, 2, seed=21),
    _p("gavle-bt12-126-tight", "gavle,bt12", 126, 2, seed=22),
    _p("gavle-130-loose", "gavle", 130, 2, "loose", seed=23, leave=10),
    _p("at21j-80-tight", "at21j", 80, 2, seed=31),
    _p("at21j-bt12-136-tight", "at21j,bt12", 136, 3, seed=32),
    _p("at21e-at18-40-tight", "at18,at21e", 40, 2, starts=2, seed=33),
    _p("uppsala-like-100-tight", "at18,at21e,bt12", 100, 2, starts=2, seed=34),
    _p("ped-at18-30-tight", "at18,ped", 30, 1, seed=41),
    _p("ped-at18-bt12-70-loose", "at18,ped,bt12", 70, 2, "loose", seed=42),
    _p("bt12-20-loose", "bt12", 20, 1, "loose", starts=3, seed=51),
    _p("bt12-60-tight", "bt12", 60, 2, seed=52, starts=2),
    _p("shift-150-tight", "shift", 150, 3, seed=53, years=4),
    _p("leave-80-tight", "at18,bt12", 80, 2, seed=61, leave=25, part_time=10),
    _p("leave-120-loose", "at21j,bt12", 120, 2, "loose", seed=62, leave=25),
    _p("leave-gavle-100-tight", "gavle", 100, 2, seed=63, leave=20),
    _p("parttime-70-tight", "at18", 70, 1, seed=71, part_time=40),
    _p("parttime-bt12-120-tight", "at18,bt12", 120, 3, seed=72, part_time=30, leave=10),
    _p("locked-60-tight", "at18,bt12", 60, 2, seed=81, locked=30),
    _p("mixed-features-110-tight", "at18,bt12", 110, 2, seed=82, leave=15, part_time=15,
       locked=10),
    _p("six-hospitals-156-tight", "at21j,bt12", 156, 6, seed=91),
    _p("eight-sites-190-loose", "at18,bt12", 190, 8, "loose", seed=92, starts=3),
    _p("at18-bt12-200-slack10", "at18,bt12", 200, 4, "10", seed=93, starts=3, leave=10,
       locked=10),
    # 200-600
    _p("at18-bt12-260-tight", "at18,bt12", 260, 4, seed=101, leave=10, part_time=10),
    _p("gavle-bt12-320-tight", "gavle,bt12", 320, 3, seed=102),
    _p("at21j-bt12-420-tight", "at21j,bt12", 420, 5, seed=103, leave=10, locked=5),
    _p("shift-520-tight", "shift", 520, 6, seed=104, years=4, leave=5, part_time=5),
    # Stockholm size
    _p("stockholm-850-tight", "at18,ped,bt12", 850, 7, seed=111, leave=10, part_time=10,
       locked=5),
    _p("stockholm-1000-loose", "at18,ped,bt12", 1000, 7, "loose", seed=112, leave=10,
       part_time=10, locked=5, staffing=True),
    # Slack per class (see MIXED)
    _p("mixed-slack-100", "at18,bt12", 100, 3, MIXED, seed=121, staffing=True,
       wide_stints=True, pack=True),
    _p("mixed-slack-160", "at18,bt12", 160, 3, MIXED, seed=122, staffing=True,
       wide_stints=True, pack=True),
    _p("mixed-slack-160-leave", "at18,bt12", 160, 3, MIXED, seed=123, leave=10,
       staffing=True, wide_stints=True, pack=True),
    _p("mixed-slack-240", "at18,bt12", 240, 3, MIXED, seed=124, staffing=True,
       wide_stints=True, pack=True),
    # Örebro's regime (see EXACT_STAGGER): the mixed slack with exact stint ranges and a
    # staggered witness
    _p("exact-stagger-130", "at18,bt12", 130, 3, MIXED, seed=131, **EXACT_STAGGER),
    _p("exact-stagger-160-leave", "at18,bt12", 160, 3, MIXED, seed=133, leave=10,
       **EXACT_STAGGER),
    _p("exact-stagger-200", "at18,bt12", 200, 3, MIXED, seed=132, **EXACT_STAGGER),
]


def readme(rows: list[dict]) -> str:
    lines = [
        "# Generated benchmark suite",
        "",
        "Regions written by `atbt generate --suite --out benchmarks/suite` "
        "(scheduler/generator/suite.py): each folder holds `region.yaml` and `witness.csv`, a "
        "plan that meets every rule (`atbt check NAME/region.yaml NAME/witness.csv`), so every "
        "region is feasible. Capacities are the witness plan's peak loads per unit (tight), "
        "those plus 25 % (loose), plus another slack in percent, or raised to a slack per "
        "class of unit over its trainees at once (hospital units per hospital, psychiatry, "
        "vårdcentraler; never below the peaks); the header of each "
        "region.yaml gives the command that regenerates it byte for byte. *Features*: % of "
        "trainees with leave, part time, locked stints; staffing targets at vårdcentraler; "
        "wide stints: stint ranges at the county hospitals 1-2 weeks wider on each side; "
        "packed: the witness fills units up to their peak before raising one; exact stints: "
        "AT stint ranges exact or 1-2 weeks wide at the university hospital and the "
        "psychiatric clinics (BT's too where a unit has no BT range of its own), 26 weeks "
        "at a vårdcentral (as Örebro); staggered: the witness "
        "gives each trainee the order of its rotation that raises the units' peaks least, "
        "as a coordinator staggers kind-mates, so capacities are near Örebro's. "
        "*Witness*: the objective of witness.csv (default weights), an upper bound on the "
        "optimum that a solver's plan should beat. Names, towns and units are invented.",
        "",
        "| name | kind | sites | units | trainees | weeks | tightness | seed | features | "
        "witness |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['name']} | {r['kind']} | {r['sites']} | {r['units']} | "
                     f"{r['trainees']} | {r['weeks']} | {r['tightness']} | {r['seed']} | "
                     f"{r['features']} | {r['witness']} |")
    return "\n".join(lines) + "\n"


def generate_suite(out: Path, names: list[str] | None = None,
                   progress: Callable[[Generated], None] | None = None) -> list[Generated]:
    """Write every region of the suite (or those named) and README.md (the whole suite)."""
    done = []
    for p in SUITE:
        if names and p.name not in names:
            continue
        folder = out / p.name
        gen = render(build(p), folder)
        write(gen, folder)
        done.append(gen)
        if progress:
            progress(gen)
    if not names:
        write_atomic(out / "README.md", readme([g.stats for g in done]).encode("utf-8"))
    return done
