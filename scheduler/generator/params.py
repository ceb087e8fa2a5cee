"""Parameters of a generated region, mirroring ``../shared/DOMAIN.md``, and their validation.

A region is described by its programme kinds, size, number of hospitals (sites), starts a year,
how tight the supervisor capacity is and how many trainees have leave, part time or locked
stints. Everything else is drawn from ``seed``; the same parameters give the same files.
"""

from __future__ import annotations

from dataclasses import dataclass

# Programme kinds: key -> programme id. Files under constraints/ except the pedagogical AT,
# which has no rule file and is written inline (see catalog.PED_PROGRAMME).
KINDS: dict[str, str] = {
    "at18": "AT18",             # national minimum, 18 months
    "gavle": "AT18-GAVLE",      # opens and closes at the same vårdcentral
    "at21j": "AT21",            # Jönköping, 21 months with elective weeks
    "at21e": "AT21-ENKOPING",   # Enköping, 21 months, every minimum exact
    "ped": "AT18-PED",          # pedagogical AT: 18 months + 6 months pedagogy
    "bt12": "BT12",             # BT 12 months
}
# "shift": the 2027-2030 shift, AT intakes falling and BT intakes rising year by year.
PRESETS: dict[str, tuple[str, ...]] = {"shift": ("at18", "bt12")}

# Unit classes for a per-class slack (``--tightness hospital=45,psykiatri=25,...``): the
# region-wide psychiatric clinics, the region-wide vårdcentraler, and every hospital unit.
SLACK_CLASSES = ("hospital", "psykiatri", "allmanmedicin")

LIMITS = {"trainees": (1, 2000), "sites": (1, 8), "starts": (2, 4), "years": (1, 4),
          "start_year": (2020, 2040), "leave": (0, 25), "part_time": (0, 100),
          "locked": (0, 100)}


@dataclass(frozen=True)
class Params:
    """What to generate. Percentages are shares of the trainees (0-100)."""

    kind: str = "at18"          # a kind, a preset, or kinds joined by commas ("at18,bt12")
    trainees: int = 60
    sites: int = 2
    starts: int = 4             # starts (intakes) a year per site
    years: int = 2              # years of intakes
    start_year: int = 2027
    tightness: str = "tight"    # "tight", "loose", the slack in percent of the peak ("20")
    #                             or a slack per unit class ("hospital=45,psykiatri=25")
    seed: int = 0
    leave: int = 0              # % of trainees with 4-52 weeks of extending leave
    part_time: int = 0          # % of trainees working 50-90 %
    locked: int = 0             # % of trainees with locked stints
    summer: bool = True         # summer capacity dips at the hospital units that have them
    staffing: bool = False      # vårdcentraler want a trainee every week (soft)
    wide_stints: bool = False   # county hospitals' stint ranges 1-2 weeks wider on each side
    exact_stints: bool = False  # university hospital, psychiatry, vårdcentraler: AT ranges
    #                             exact or 1-2 weeks wide, 26 weeks at a vårdcentral (Örebro)
    pack: bool = False          # witness fills units up to their peak before raising one
    stagger: bool = False       # witness orders each rotation to raise capacity least
    name: str = ""

    @property
    def kinds(self) -> tuple[str, ...]:
        if self.kind in PRESETS:
            return PRESETS[self.kind]
        return tuple(k.strip() for k in self.kind.split(",") if k.strip())

    @property
    def shift(self) -> bool:
        return self.kind == "shift"

    @property
    def slack(self) -> int:
        """Capacity slack in percent of each unit's peak load (0 = tight; 0 as well with a
        slack per class, see :attr:`class_slack`)."""
        t = self.tightness.strip().lower()
        if t == "tight" or "=" in t:
            return 0
        if t == "loose":
            return 25
        return int(t)

    @property
    def class_slack(self) -> dict[str, int] | None:
        """Slack in percent per unit class (classes not named: 0), or None for one slack."""
        t = self.tightness.strip().lower()
        if "=" not in t:
            return None
        out = dict.fromkeys(SLACK_CLASSES, 0)
        for part in t.split(","):
            key, _, value = part.partition("=")
            out[key.strip()] = int(value)
        return out

    def label(self) -> str:
        return self.name or (f"{self.kind.replace(',', '-')}-{self.trainees}-"
                             f"{self.tightness}-{self.seed}")


def problems(p: Params) -> list[tuple[str, str, dict]]:
    """Every bad parameter at once: ``(option, message key, format arguments)``."""
    out: list[tuple[str, str, dict]] = []
    kinds = p.kinds
    if not kinds:
        out.append(("--kind", "empty_kind", {}))
    for k in kinds:
        if k not in KINDS:
            out.append(("--kind", "unknown_kind", {
                "value": k, "known": ", ".join([*KINDS, *PRESETS])}))
    if len(set(kinds)) != len(kinds):
        out.append(("--kind", "repeated_kind", {"value": p.kind}))
    for name, (lo, hi) in LIMITS.items():
        v = getattr(p, name)
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            out.append((f"--{name.replace('_', '-')}", "out_of_range",
                        {"value": v, "lo": lo, "hi": hi}))
    t = p.tightness.strip().lower()
    if t not in ("tight", "loose"):
        pairs = [x.partition("=") for x in t.split(",")] if "=" in t else [("", "", t)]
        keys = [k.strip() for k, _, _ in pairs]
        try:
            ok = all(0 <= int(v) <= 200 for _, _, v in pairs)
        except ValueError:
            ok = False
        if "=" in t:
            ok = (ok and all(k in SLACK_CLASSES for k in keys)
                  and len(set(keys)) == len(keys))
        if not ok:
            out.append(("--tightness", "bad_tightness", {"value": p.tightness}))
    return out
