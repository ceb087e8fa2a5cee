"""Why a plan cannot be made, in the coordinator's words (``report.explanation``).

Looked up as ``tr("explanation.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "feasible": ("Instansen har en plan; det finns ingen konflikt att förklara.",
                 "The instance has a plan; there is no conflict to explain."),
    "unknown": ("Tiden tog slut innan en konflikt kunde bevisas (pröva en längre "
                "--time-limit).",
                "The time ran out before a conflict could be proven (try a longer "
                "--time-limit)."),
    "why": ("Därför finns ingen plan (de här kraven går inte att uppfylla samtidigt):",
            "Why there is no plan (these requirements cannot all be met at once):"),
    "not_minimal": ("(tiden räckte inte för att krympa listan till det minsta)",
                    "(the time ran out before the list was shrunk to the smallest)"),
    "headline": ("{disc} {weeks}: {n} {kind} behöver {w} veckor var inom sina block, men "
                 "kapaciteten är {cap} per vecka ({units})",
                 "{disc} {weeks}: {n} {kind} trainees need {w} weeks each within their blocks, "
                 "but the capacity is {cap} per week ({units})"),
    "counted": ("(räknat: {demand} veckor behövs där, men enheterna har {supply} "
                "platsveckor{locked}; {deficit} veckor saknas)",
                "(counted: {demand} weeks are needed there, but the units have {supply} "
                "seat-weeks{locked}; {deficit} weeks short)"),
    "counted_locked": (" efter {n} låsta placeringar", " after {n} locked stints"),
    "locked_over": ("{unit} {weeks}: {n} låsta placeringar, men kapaciteten är {cap}",
                    "{unit} {weeks}: {n} locked stints, but the capacity is {cap}"),
    "capacity": ("{unit}: kapaciteten är {cap} per vecka",
                 "{unit}: the capacity is {cap} per week"),
    "requirement": ("{who}: {n} {kind} behöver minst {w} veckor {disc} inom blocket {weeks}",
                    "{who}: {n} {kind} trainees need at least {w} weeks of {disc} within the "
                    "block {weeks}"),
    "block": ("{who}: blocket {weeks} ska rymma {s} veckors tjänstgöring",
              "{who}: the block {weeks} must hold {s} weeks of service"),
    "locked": ("{who}: låst placering på {unit} {weeks}",
               "{who}: locked stint at {unit} {weeks}"),
    "leave": ("{who}: {leave} {weeks}", "{who}: {leave} {weeks}"),
    "fix": ("Minsta ändring som ger en plan:", "Smallest change that gives a plan:"),
    "fix_capacity": ("+{k} handledare på {unit} {weeks}{was}",
                     "+{k} supervisors at {unit} in {weeks}{was}"),
    "fix_was": (" (kapacitet {a} → {b} per vecka)", " (capacity {a} → {b} a week)"),
    "fix_unlock": ("lås upp placeringen för {who} som börjar {start}",
                   "unlock the stint of {who} starting {start}"),
    "fix_longer": ("förläng blocket i {programme} med {k} veckor",
                   "lengthen the block of {programme} by {k} weeks"),
    "fix_none": ("ingen ändring av kapacitet, låsningar eller blocklängd räcker",
                 "no change of capacity, locks or block length suffices"),
    "verified": ("(kontrollerat: med ändringen finns en plan)",
                 "(verified: with the change a plan exists)"),
    "not_verified": ("(kunde inte kontrolleras inom tidsgränsen)",
                     "(could not be verified within the time limit)"),
    "widened": ("(ändringar bara där orsaken ligger räckte inte; ändringen går utöver dem)",
                "(changes only where the cause lies did not suffice; the change goes beyond)"),
    "ran_out": ("Tiden tog slut för: {parts}.", "The time ran out for: {parts}."),
    "part_conflict": ("att bevisa en konflikt", "proving a conflict"),
    "part_shrink": ("att krympa konflikten till den minsta", "shrinking the conflict"),
    "part_fix": ("att hitta en ändring", "finding a change"),
    "part_verify": ("att kontrollera ändringen", "verifying the change"),
    "alternative": ("Alternativ: senarelägg starten för {who} med {k} veckor (till {start})",
                    "Alternative: start {who} {k} weeks later (on {start})"),
    "unreachable": ("{file}: {loc}: {programme} kräver minst {weeks} veckor {disc}, men ingen "
                    "enhet som tar emot {programme} kan ge {disc} under blocket (ingen sådan "
                    "enhet, eller kapacitet 0 hela blocket)",
                    "{file}: {loc}: {programme} requires at least {weeks} weeks of {disc}, but "
                    "no unit taking {programme} can give {disc} during the block (no such unit, "
                    "or capacity 0 throughout)"),
    "solve_spent": ("(lösaren bevisade det efter {t:.1f} s; förklaringen får resten av "
                    "--time-limit {limit:g} s: {left:.1f} s)",
                    "(the solver proved it after {t:.1f} s; the explanation gets the rest of "
                    "--time-limit {limit:g} s: {left:.1f} s)"),
    "counted_first": ("(bevisat genom räkning före sökningen, på {t:.1f} s)",
                      "(proven by counting before any search, in {t:.1f} s)"),
    "week_one": ("v. {a} {y}", "week {a} {y}"),
    "week_span": ("v. {a}–{b} {y}", "weeks {a}–{b} {y}"),
    "week_years": ("v. {a} {y}–v. {b} {z}", "week {a} {y} – week {b} {z}"),
    # kinds of leave as the explanation names them
    "leave_kind_foraldraledighet": ("föräldraledighet", "parental leave"),
    "leave_kind_sjukskrivning": ("sjukskrivning", "sick leave"),
    "leave_kind_tjanstledighet": ("tjänstledighet", "unpaid leave"),
    "leave_kind_semester": ("semester", "vacation"),
}
