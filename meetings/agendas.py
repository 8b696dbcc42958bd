"""Agenda templates for meetings with police: a starting text the store edits, not a fixed form."""

from __future__ import annotations

from dataclasses import dataclass

from i18n import _l


@dataclass(frozen=True)
class AgendaTemplate:
    key: str
    label: str  # lazy: shown in the request's language
    title: str
    text: str


AGENDA_TEMPLATES: tuple[AgendaTemplate, ...] = (
    AgendaTemplate(
        "introduction",
        _l("Introduce the store and its risks"),
        "Introduction: our store and its risks",
        "1. Who we are: owners, staff, opening hours, busy days and seasons\n"
        "2. What we sell and keep on the premises (high-value lines, watches, loose stones)\n"
        "3. Incidents so far and what worries us (casing, grab-and-run, distraction, follow-home)\n"
        "4. How to reach each other: direct numbers, email, who to call out of hours\n"
        "5. Next steps and when to meet again\n",
    ),
    AgendaTemplate(
        "walkthrough",
        _l("Walk-through: alarm, surveillance, safes and vaults"),
        "Security walk-through",
        "1. Alarm system: panels, sensors, panic buttons, monitoring company and its response\n"
        "2. Surveillance: camera positions, coverage and blind spots, recording retention, how to get footage\n"
        "3. Safes and vaults: location, ratings, time locks, who holds keys and codes (roles only, no codes)\n"
        "4. Opening and closing routines, deliveries, where staff are most exposed\n"
        "5. Store layout and design: what the officer advises we change\n",
    ),
    AgendaTemplate(
        "patrols",
        _l("Ask for drive-bys and extra patrols"),
        "Drive-bys and extra patrols",
        "1. When we are most at risk: merchandise movements, in-store events, late openings\n"
        "2. When the owner is away (trade shows, holidays) and who is in charge then\n"
        "3. Drive-bys and extra patrols: times, what to look for, vehicles we expect\n"
        "4. How to request a patrol and how the officer reports back\n"
        "5. Reporting casing at once: what we tell you and how you respond\n",
    ),
    AgendaTemplate(
        "home",
        _l("Home security"),
        "Home security review",
        "1. Follow-home risk: routes, routines, vehicles\n"
        "2. The home: alarm, lighting, cameras, what is kept there (nothing from the store, ideally)\n"
        "3. Family and household: what they should do if approached or threatened\n"
        "4. Home watch while away: dates, keyholder, neighbours\n",
    ),
    AgendaTemplate("free", _l("Free (write your own)"), "Meeting", ""),
)
TEMPLATES_BY_KEY = {t.key: t for t in AGENDA_TEMPLATES}


def agenda_template(key: str) -> AgendaTemplate:
    return TEMPLATES_BY_KEY.get(key, TEMPLATES_BY_KEY["free"])
