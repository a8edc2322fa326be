"""The demo's buyer interviews as a Google Forms export, imported like any other
(docs/demo-data.md, "Form answers: conversations as evidence").

About two in five contacts with a persona of the demo's five maps answered a five-question
form in the 120 days before the demo's ``as_of`` (at most ``MAX_RESPONDENTS``). The file is
written the way Google Forms' "Download responses (.csv)" writes it (``Timestamp`` as
``2026/09/14 9:15:02 AM GMT+1``, ``Email address``, one column per question) into a
temporary folder and read back by :func:`buyermap.io.form_answers.import_form_answers`, so
the demo goes through the same reader, checks and storage as a team's own export. German-
and Finnish-speaking respondents (accounts in Germany, Austria, Switzerland and Finland)
answer in their language.

Planted: the answers to "What almost stopped you from buying?" name one objection most
often per persona (``DOMINANT``, by the persona's place among the maps: ``diy``,
``security_review``, ``price``, ``too_complex``, ``lock_in``) in 55 % of answers, one of the
other five objections in 30 %, and nothing (``Nothing really ...``) in 15 %.
``buyermap journeys themes --persona KEY`` finds each persona's planted objection as its
largest keyword theme. The second persona's planted worry, ``security_review``, is the
objection its journey map leaves unanswered (gap 2 of :mod:`buyermap.demo.journeys`): the
form is the evidence that the gap matters. Four questions are mapped to stages; the fifth
("Anything else ...") is left unmapped, for the team to map. Seeded: the same seed and
workspace give the same answers.
"""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, AccountContact, Contact
from buyermap.demo.constants import DEFAULT_AS_OF
from buyermap.io.form_answers import AnswersReport, import_form_answers
from buyermap.services import form_answers as svc
from buyermap.services import journeys as journeys_svc
from buyermap.services.touchpoints import persona_of_contacts

FILE_NAME = "brightloop-buyer-interviews.csv"
RESPONSE_RATE = 0.4
MAX_RESPONDENTS = 800
DAYS_BACK = 120
DOMINANT = ("diy", "security_review", "price", "too_complex", "lock_in")
OBJECTIONS = ("not_now", "diy", "too_complex", "price", "security_review", "lock_in")
SHARES = (0.55, 0.30, 0.15)  # the persona's own objection, another one, none

STOPPED = "What almost stopped you from buying?"
QUESTIONS: dict[str, str | None] = {
    "What made you start looking for a tool like Brightloop?": "problem_identification",
    "Where did you look for answers first?": "solution_exploration",
    STOPPED: "supplier_selection",
    "What did you need to show your team before they agreed?": "consensus",
    "Anything else you want to tell us?": None,  # left unmapped on purpose
}
LANGUAGE = {"Germany": "de", "Austria": "de", "Switzerland": "de", "Finland": "fi"}

# What each objection sounds like, per language: every phrase carries a keyword of KEYWORDS.
SAYS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "price": (
            "The price. For a company our size it felt expensive at first.",
            "Honestly the cost per seat, until we saw the return in the first quarter.",
            "Budget. We had to argue for it against two other tools.",
        ),
        "security_review": (
            "Our security review took almost three months.",
            "IT wanted a full security questionnaire and a GDPR data processing agreement.",
            "Compliance asked where the data is hosted before anything else.",
        ),
        "lock_in": (
            "Fear of being locked in: could we take our data with us if we left?",
            "We did not want to depend on one vendor again after the last one.",
            "Whether we could get everything out again with a full export.",
        ),
        "too_complex": (
            "It looked complicated to roll out next to our CRM.",
            "The onboarding seemed long for a team of our size.",
            "Too complex at first sight; the second demo changed that.",
        ),
        "diy": (
            "We thought we could keep doing it in spreadsheets.",
            "Our operations team wanted to build it ourselves.",
            "An in-house tool was on the table for a while.",
        ),
        "not_now": (
            "It was not a priority until the second half of the year.",
            "Timing: we were in the middle of a reorganisation.",
            "We nearly pushed it to later, after the trade fair season.",
        ),
        "none": (
            "Nothing really, the team wanted it from day one.",
            "Nothing, the trial convinced everyone quickly.",
            "Nothing stopped us, it was an easy decision for us.",
        ),
    },
    "de": {
        "price": ("Der Preis war für ein Unternehmen unserer Größe zunächst zu teuer.",),
        "security_review": ("Die Sicherheitsprüfung durch unsere IT hat Monate gedauert.",),
        "lock_in": ("Wir wollten nicht wieder von einem einzigen Anbieter abhängig sein.",),
        "too_complex": ("Die Einrichtung neben unserem CRM wirkte sehr kompliziert.",),
        "diy": ("Wir wollten es zuerst selbst mit Excel lösen.",),
        "not_now": ("Es hatte in diesem Jahr keine Priorität bei der Geschäftsführung.",),
        "none": ("Eigentlich nichts, das Team war sofort überzeugt.",),
    },
    "fi": {
        "price": ("Hinta tuntui aluksi kalliilta meidän kokoiselle yritykselle.",),
        "security_review": ("Tietoturvatarkastus kesti meillä kolme kuukautta.",),
        "lock_in": ("Emme halunneet sitoutua taas yhteen toimittajaan.",),
        "too_complex": ("Käyttöönotto näytti aluksi monimutkaiselta.",),
        "diy": ("Ajattelimme rakentaa sen omin voimin taulukkoon.",),
        "not_now": ("Se ei ollut tänä vuonna prioriteetti johdolle.",),
        "none": ("Ei oikeastaan mikään, tiimi oli heti innoissaan.",),
    },
}
OTHER: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "problem_identification": (
            "Our deals kept stalling after the first demo and nobody knew why.",
            "Forecast calls took hours and the numbers were still wrong.",
            "We lost two big renewals we never saw coming.",
            "Reps spent more time typing into the CRM than talking to customers.",
        ),
        "solution_exploration": (
            "Google",
            "LinkedIn",
            "Peers at other companies",
            "A webinar by an analyst",
            "Review sites",
        ),
        "consensus": (
            "A business case with numbers our finance team could check.",
            "References from companies in our industry and of our size.",
            "A pilot with two teams and what it changed for them.",
        ),
        "extra": (
            "Keep the product simple, please, that is why we chose you.",
            "Your support team answered faster than we expected.",
            "",
            "",
            "",
        ),
    },
    "de": {
        "problem_identification": ("Unsere Deals blieben nach der ersten Demo einfach stehen.",),
        "solution_exploration": ("Google", "Kollegen aus der Branche"),
        "consensus": ("Referenzen aus unserer Branche und ein Business Case für den CFO.",),
        "extra": ("", "Bitte mehr Inhalte auf Deutsch."),
    },
    "fi": {
        "problem_identification": ("Ennusteet menivät pieleen kvartaali toisensa jälkeen.",),
        "solution_exploration": ("Google", "Kollegat muista yrityksistä"),
        "consensus": ("Referenssit oman alan yrityksiltä ja laskelma talousjohtajalle.",),
        "extra": ("", "Lisää suomenkielistä materiaalia, kiitos."),
    },
}
# Keyword rules (kind, key, word) the demo keeps: each objection in the three languages.
KEYWORDS: tuple[tuple[str, str, str], ...] = (
    ("objection", "price", "price"),
    ("objection", "price", "expensive"),
    ("objection", "price", "cost*"),
    ("objection", "price", "budget"),
    ("objection", "price", "teuer"),
    ("objection", "price", "preis*"),
    ("objection", "price", "kallis"),
    ("objection", "price", "hinta"),
    ("objection", "security_review", "security"),
    ("objection", "security_review", "gdpr"),
    ("objection", "security_review", "compliance"),
    ("objection", "security_review", "sicherheit*"),
    ("objection", "security_review", "tietoturva*"),
    ("objection", "lock_in", "locked"),
    ("objection", "lock_in", "vendor"),
    ("objection", "lock_in", "export"),
    ("objection", "lock_in", "abhängig*"),
    ("objection", "lock_in", "sitoutu*"),
    ("objection", "too_complex", "complicated"),
    ("objection", "too_complex", "complex*"),
    ("objection", "too_complex", "onboarding"),
    ("objection", "too_complex", "kompliziert*"),
    ("objection", "too_complex", "monimutkai*"),
    ("objection", "diy", "spreadsheet*"),
    ("objection", "diy", "ourselves"),
    ("objection", "diy", "in-house"),
    ("objection", "diy", "selbst"),
    ("objection", "diy", "voimin"),
    ("objection", "not_now", "priorit*"),
    ("objection", "not_now", "timing"),
    ("objection", "not_now", "later"),
    ("stage", "validation", "referen*"),
)


def _stopped(rng: random.Random, position: int) -> str:
    """Which objection (or ``none``) a respondent of the persona at ``position`` names."""
    own = DOMINANT[position % len(DOMINANT)]
    draw = rng.random()
    if draw < SHARES[0]:
        return own
    if draw < SHARES[0] + SHARES[1]:
        return rng.choice([o for o in OBJECTIONS if o != own])
    return "none"


def _when(rng: random.Random, as_of: datetime) -> tuple[datetime, str]:
    """A time (UTC) and how Google Forms' CSV writes it in the form owner's zone (GMT+1)."""
    moment = as_of - timedelta(seconds=rng.randrange(DAYS_BACK * 86_400))
    local = moment + timedelta(hours=1)
    hour = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    return moment, f"{local:%Y/%m/%d} {hour}:{local:%M:%S} {half} GMT+1"


def write_form(
    path: Path, session: Session, *, seed: int = 7, as_of: datetime = DEFAULT_AS_OF
) -> int:
    """Write the demo's form export to ``path``; returns how many responded."""
    keys = [p.key for p in journeys_svc.personas(session)][:5]
    persona_of = persona_of_contacts(session)
    country: dict[int, str] = {}
    for contact_id, name in session.execute(
        select(AccountContact.contact_id, Account.country)
        .join(Account, Account.id == AccountContact.account_id)
        .where(AccountContact.end_date.is_(None))
        .order_by(AccountContact.contact_id, AccountContact.is_primary.desc(), AccountContact.id)
    ):
        country.setdefault(contact_id, name or "")
    rows = session.execute(
        select(Contact.id, Contact.email).where(Contact.email.is_not(None)).order_by(Contact.id)
    ).all()
    rng = random.Random(seed * 104_729 + 31)
    chosen = [r for r in rows if persona_of.get(r.id) in keys and rng.random() < RESPONSE_RATE]
    chosen = chosen[:MAX_RESPONDENTS]
    responses: list[tuple[datetime, list[str]]] = []
    for r in chosen:
        position = keys.index(persona_of[r.id])
        lang = LANGUAGE.get(country.get(r.id, ""), "en")
        said, other = SAYS[lang], OTHER[lang]
        moment, stamp = _when(rng, as_of)
        cells = [stamp, str(r.email)]
        for question, stage in QUESTIONS.items():
            if question == STOPPED:
                cells.append(rng.choice(said[_stopped(rng, position)]))
            else:
                cells.append(rng.choice(other[stage or "extra"]))
        # Google Forms lists responses in the order they came in
        responses.append((moment, cells))
    responses.sort(key=lambda rc: rc[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Timestamp", "Email address", *QUESTIONS])
        out.writerows(cells for _, cells in responses)
    return len(responses)


def build_form_answers(
    session: Session, *, seed: int = 7, as_of: datetime = DEFAULT_AS_OF
) -> AnswersReport | None:
    """Import the demo's form export, map four of its questions to stages and keep the
    keyword rules; ``None`` when no persona of the maps has contacts. No commit."""
    if not [p.key for p in journeys_svc.personas(session)][:5]:
        return None
    with tempfile.TemporaryDirectory(prefix="buyermap-demo-form-") as folder:
        path = Path(folder) / FILE_NAME
        if write_form(path, session, seed=seed, as_of=as_of) == 0:
            return None
        report = import_form_answers(session, path=path)
    mapped = [(n, q, stage, "") for n, (q, stage) in enumerate(QUESTIONS.items(), 1) if stage]
    svc.map_questions(session, mapped)
    svc.set_keywords(session, [(n, *rule) for n, rule in enumerate(KEYWORDS, 1)])
    return report
