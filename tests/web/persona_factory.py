"""A workspace with three planted personas and a stored persona run, for persona tests.

What is planted (60 contacts each, declared in ``GROUPS``):

* ``marketer``: Marketing VPs, many webinars, rate ease of use 5, say marketing things;
* ``engineer``: IT managers, many site visits, rate ease of use 2;
* ``seller``: Sales specialists, many events, rate ease of use 3-4.

Each contact answers the survey ``pulse`` (``ease``: a number, ``comment``: open text), and
every fifth contact has an interview note with a quote and a ``goal:*`` tag (plus a
``frustration:*`` tag for engineers). The run is discovered with k fixed at 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from buyermap.analytics.personas.discover import DiscoverQuery
from buyermap.analytics.personas.loading import CONTACT_ID
from buyermap.db.models import Contact, Note, SurveyAnswer
from buyermap.services.workspace import Workspace

FAST_QUERY = DiscoverQuery(id_column=CONTACT_ID, k=3, n_init=3, n_boot=3)
AT = datetime(2026, 3, 1)


@dataclass(frozen=True)
class Group:
    seniority: str
    department: str
    webinars: int
    site_visits: int
    events: int
    ease: tuple[int, ...]
    quote: str
    tags: tuple[str, ...]


GROUPS: dict[str, Group] = {
    "marketer": Group(
        "vp", "Marketing", 8, 3, 1, (5, 5, 4), "Our campaigns need one view of every lead.",
        ("goal:visibility",),
    ),
    "engineer": Group(
        "manager", "IT", 1, 30, 0, (2, 1, 2), "The API must sync with our warehouse nightly.",
        ("goal:integration", "frustration:setup"),
    ),
    "seller": Group(
        "specialist", "Sales", 2, 6, 4, (3, 4, 3), "I want to log a call in two clicks, tops.",
        ("goal:ease_of_use",),
    ),
}  # fmt: skip
PER_GROUP = 60


def seed_personas(session: Session) -> dict[int, str]:
    """Write the contacts, answers and notes; returns contact id -> planted group."""
    planted: dict[int, str] = {}
    for name, g in GROUPS.items():
        for i in range(PER_GROUP):
            contact = Contact(
                first_name=f"{name.title()}{i}",
                last_name="Tester",
                email=f"{name}{i}@example.com",
                seniority=g.seniority,
                department=g.department,
                custom={
                    "webinars_attended": g.webinars + i % 3,
                    "site_visits": g.site_visits + i % 4,
                    "events_attended": g.events + i % 2,
                },
            )
            session.add(contact)
            session.flush()
            planted[contact.id] = name
            session.add_all(
                [
                    SurveyAnswer(
                        survey="pulse",
                        question="ease",
                        contact_id=contact.id,
                        value_number=float(g.ease[i % len(g.ease)]),
                        answered_at=AT,
                    ),
                    SurveyAnswer(
                        survey="pulse",
                        question="comment",
                        contact_id=contact.id,
                        value_text=f"{g.quote} (respondent {i})",
                        answered_at=AT,
                    ),
                ]
            )
            if i % 5 == 0:
                session.add(
                    Note(
                        kind="interview",
                        title="Interview",
                        body=f'{contact.first_name} said: "{g.quote}"',
                        occurred_at=AT,
                        contact_id=contact.id,
                        tags=list(g.tags),
                    )
                )
    session.flush()
    return planted


@dataclass(frozen=True)
class PersonaApp:
    client: TestClient
    workspace: Workspace
    planted: dict[int, str]
    run_key: str
