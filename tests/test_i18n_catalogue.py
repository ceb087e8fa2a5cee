"""The text catalogue (``scheduler.i18n``): every entry in both languages, with the same
placeholders, and every key the code looks up is there."""

import re
import string
from pathlib import Path

from scheduler import i18n
from scheduler.i18n import CATALOGUE, tr

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


def test_every_key_the_code_looks_up_is_in_the_catalogue():
    # Literal keys only: tr("area.key" ...). Keys built at run time (f-strings) are checked
    # with has_text where they are used.
    used = set()
    for path in SCHEDULER.rglob("*.py"):
        for key in re.findall(r"""\btr\(\s*["']([a-z_0-9.]+)["']""", path.read_text()):
            used.add(key if "." in key else f"{i18n.DEFAULT_AREA}.{key}")
    assert len(used) > 300
    assert sorted(used - set(CATALOGUE)) == []


def test_lookup_language_and_fields():
    assert tr("dates.week", "sv", week=19, year=2028) == "v. 19 2028"
    assert tr("dates.week", "en", week=19, year=2028) == "week 19 2028"
    assert tr("unknown_ref", "sv", kind="unit", id="x") == "enheten 'x' finns inte"
    assert tr("unknown_ref", "en", kind="unit", id="x") == "unknown unit 'x'"
