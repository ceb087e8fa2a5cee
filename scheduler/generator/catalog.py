"""What generated regions are made of: invented towns, unit templates, the pedagogical AT.

Stint lengths follow the Örebro figures of appendix 5 of the Mellansverige survey (seed 001):
internal medicine 10-11 weeks, infection 6-9, surgery 6, urology 5-6, orthopaedics 4, ANIVA 2,
emergency 5-7, psychiatry 2-3 + 8 + 3, one vårdcentral for 6 months; widened a little so that a
block can also be made of other pieces. BT ranges (acute care 4-13, primary care 13-17) as in
instances/orebro.yaml. All names are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

# (id, town). Invented; the first is the region's university hospital.
TOWNS: list[tuple[str, str]] = [
    ("NVK", "Norrvik"), ("SBY", "Sörby"), ("VMO", "Västermo"), ("OLD", "Österlid"),
    ("MEA", "Mellanå"), ("TBK", "Tallbacka"), ("SVK", "Strandvik"), ("KVB", "Kvarnby"),
]

# Syllables for invented vårdcentral names ("Vårdcentralen Granbacken").
VC_HEADS = ["Björk", "Gran", "Tall", "Ek", "Lind", "Sjö", "Berg", "Ås", "Dal", "Hag", "Lund",
            "Mo", "Sand", "Sten", "Vik", "Äng", "Al", "Rönn", "Hassel", "Ljung"]
VC_TAILS = ["backen", "dalen", "hagen", "viken", "berga", "by", "torp", "lunda", "ängen",
            "holmen", "stad", "sund"]


@dataclass(frozen=True)
class Template:
    """A kind of unit: its disciplines, AT stint length range, BT range, summer dip."""

    code: str
    name: str
    disciplines: tuple[str, ...]
    weeks: tuple[int, int]
    bt_weeks: tuple[int, int] | None = None   # stint_weeks for BT12 when it differs
    summer_dip: bool = False                  # planned care closes in summer: fewer supervisors


MEDICAL = [
    Template("MED", "Medicinkliniken", ("medicin", "akut"), (8, 16), (4, 13), True),
    Template("INF", "Infektionskliniken", ("medicin", "valfri"), (4, 9), (2, 8)),
    Template("GER", "Geriatriska kliniken", ("medicin", "valfri"), (4, 8), (2, 8)),
    Template("KARD", "Kardiologiska kliniken", ("medicin", "akut"), (4, 10), (4, 10), True),
    Template("LUNG", "Lungmedicinska kliniken", ("medicin",), (4, 8)),
    Template("GAST", "Mag- och tarmsektionen", ("medicin",), (4, 8), None, True),
    Template("NEU", "Neurologiska kliniken", ("medicin", "valfri"), (4, 8), (2, 8)),
    Template("NJUR", "Njurmedicinska kliniken", ("medicin",), (4, 8)),
    Template("BARN", "Barn- och ungdomskliniken", ("medicin", "valfri"), (4, 8), (2, 8)),
    Template("HEM", "Hematologiska kliniken", ("medicin",), (4, 8)),
    Template("ENDO", "Endokrinologiska sektionen", ("medicin",), (4, 8), None, True),
    Template("REUM", "Reumatologiska kliniken", ("medicin",), (4, 8), None, True),
]
SURGICAL = [
    Template("KIR", "Kirurgiska kliniken", ("kirurgi", "akut"), (6, 12), (4, 13), True),
    Template("ORT", "Ortopediska kliniken", ("kirurgi", "akut"), (4, 8), (4, 10), True),
    Template("ANIVA", "Anestesi- och intensivvårdskliniken", ("kirurgi",), (2, 4)),
    Template("URO", "Urologiska kliniken", ("kirurgi",), (4, 6), None, True),
    Template("KK", "Kvinnokliniken", ("kirurgi", "valfri"), (4, 6), (2, 8), True),
    Template("ONH", "Öron-, näs- och halskliniken", ("kirurgi", "valfri"), (2, 4), (2, 6), True),
    Template("KARL", "Kärlkirurgiska sektionen", ("kirurgi",), (2, 4), None, True),
    Template("HAND", "Handkirurgiska kliniken", ("kirurgi",), (2, 4), None, True),
    Template("PLAST", "Plastikkirurgiska kliniken", ("kirurgi",), (2, 4), None, True),
    Template("THX", "Thoraxkirurgiska kliniken", ("kirurgi",), (2, 4), None, True),
]
EMERGENCY = Template("AKM", "Akutmottagningen", ("medicin", "kirurgi", "akut"), (4, 8), (4, 13))
ELECTIVE = [
    Template("HUD", "Hudkliniken", ("valfri",), (2, 6), (2, 8)),
    Template("OGON", "Ögonkliniken", ("valfri",), (2, 6), (2, 8), True),
    Template("ONK", "Onkologiska kliniken", ("medicin", "valfri"), (4, 8), (2, 8)),
]
# Psychiatry is planned region-wide; "{town}" is the town of the clinic.
PSYCHIATRY = [
    Template("ALLM", "Allmänpsykiatri {town}", ("psykiatri",), (8, 13), (8, 13)),
    Template("BER", "Beroendecentrum {town}", ("psykiatri",), (2, 4), (2, 6)),
    Template("BUP", "Barn- och ungdomspsykiatri {town}", ("psykiatri",), (3, 5), (3, 6)),
    Template("PAKM", "Psykiatrisk akutmottagning {town}", ("psykiatri",), (2, 4), (2, 6)),
    Template("SPEC", "Specialistpsykiatri {town}", ("psykiatri",), (8, 10), (8, 13)),
    Template("ALD", "Äldrepsykiatri {town}", ("psykiatri",), (4, 8), (4, 8)),
    Template("RPK", "Rättspsykiatri {town}", ("psykiatri",), (4, 8)),
]
VARDCENTRAL = Template("VC", "Vårdcentralen {name}", ("allmanmedicin",), (13, 26), (13, 17))
PEDAGOGY = Template("PED", "Pedagogiskt centrum", ("pedagogik",), (4, 52))

# Minimum hospital units per site: enough for every programme's medicine and surgery at full
# time (AT21 Enköping needs exactly 26 weeks of each at the home site).
MIN_MEDICAL = 3
MIN_SURGICAL = 4

# Trainees at once one unit of a kind is sized for (only sets how many units a region gets;
# capacities come from the witness plan).
PER_UNIT = {"medicin": 3.0, "kirurgi": 2.5, "psykiatri": 2.0, "allmanmedicin": 1.2}

# Rule files under constraints/, by programme id.
RULE_FILES: dict[str, str] = {
    "AT18": "at-18-nationell.yaml",
    "AT18-GAVLE": "at-18-gavle.yaml",
    "AT21": "at-21-jonkoping.yaml",
    "AT21-ENKOPING": "at-21-enkoping.yaml",
    "BT12": "bt-12.yaml",
}

# Pedagogical AT: normal AT plus 6 months of pedagogy (Stockholm, Uppsala; DOMAIN.md). The
# pedagogy weeks use no clinical supervisor, so they sit at a unit with capacity null.
PED_PROGRAMME: dict = {
    "id": "AT18-PED",
    "name": "Pedagogisk AT, 18 månader och 6 månader pedagogik",
    "kind": "AT",
    "regulation": "SOSFS 1999:5 ändrad genom HSLF-FS 2021:9 (minimikrav enligt AT18); "
                  "pedagogisk AT: normal AT och 6 månader pedagogik (Stockholm, Uppsala)",
    "source": "shared/DOMAIN.md (pedagogisk AT)",
    "length_weeks": 104,
    "requirements": [
        {"discipline": "medicin", "min_weeks": 13},
        {"discipline": "kirurgi", "min_weeks": 13},
        {"discipline": "psykiatri", "min_weeks": 13},
        {"discipline": "allmanmedicin", "min_weeks": 26},
        {"discipline": "pedagogik", "min_weeks": 26, "max_weeks": 26},
    ],
    "group_requirements": [
        {"name": "medicin+kirurgi", "disciplines": ["medicin", "kirurgi"], "min_weeks": 39}],
}

# Short tags of cohort ids per programme.
TAGS = {"AT18": "AT", "AT18-GAVLE": "ATG", "AT21": "ATJ", "AT21-ENKOPING": "ATE",
        "AT18-PED": "ATP", "BT12": "BT"}

# Start months per number of starts a year (BT and AT alike).
START_MONTHS = {2: (2, 8), 3: (2, 6, 10), 4: (2, 5, 8, 11)}
