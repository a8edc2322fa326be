"""A small account with a deal's committee, a standing group and ties, for the relationship
map's tests (seam, importer, REST, pages)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from buyermap.schemas.entities import AccountCreate, ContactCreate, DealCreate
from buyermap.services import committee as committee_svc
from buyermap.services import relationships as svc
from buyermap.services.accounts import create_account
from buyermap.services.contacts import create_contact
from buyermap.services.deals import create_deal


@dataclass(frozen=True)
class MapWorld:
    account: int
    other_account: int
    deal: int
    people: dict[str, int]


PEOPLE = {
    # key: (first, last, email, at the other account)
    "lucja": ("Łucja", "Wójcik", "lucja@zabka.pl", False),
    "stefan": ("Ștefan", "Dumitrescu", "stefan@zabka.pl", False),
    "jiri": ("Jiří", "Dvořák", "jiri@zabka.pl", False),
    "thordis": ("Þórdís", "Ólafsdóttir", "thordis@zabka.pl", False),
    "zofie": ("Žofie", "Nováková", "zofie@zabka.pl", False),  # tied, on no committee
    "aino": ("Aino", "Mäkinen", "aino@zabka.pl", False),  # at the account, no tie
    "ilona": ("Ilona", "Ősz", "ilona@ezust.hu", True),  # another account
}


def seed_map(session: Session, *, ties: bool = True) -> MapWorld:
    account = create_account(session, data=AccountCreate(name="Żabka Łódź", domain="zabka.pl")).id
    other = create_account(session, data=AccountCreate(name="Ezüst Kft", domain="ezust.hu")).id
    people = {
        key: create_contact(
            session,
            data=ContactCreate(
                first_name=first,
                last_name=last,
                email=email,
                account_id=other if elsewhere else account,
                job_title="Kierownik" if key == "zofie" else None,
            ),
        ).id
        for key, (first, last, email, elsewhere) in PEOPLE.items()
    }
    deal = create_deal(
        session, data=DealCreate(name="Żabka – platforma", account_id=account, stage="Proposal")
    ).id
    member_of = committee_svc.MemberInput
    for key, member in (
        ("lucja", member_of(role="Champion", influence=3, attitude="supporter")),
        ("stefan", member_of(role="Economic buyer", influence=5, attitude="sceptical")),
        ("jiri", member_of(role="Technical evaluator", influence=2, attitude="opponent")),
    ):
        committee_svc.add_member(session, contact_id=people[key], data=member, deal_id=deal)
    committee_svc.add_member(
        session,
        contact_id=people["thordis"],
        data=member_of(role="Executive sponsor", influence=4, attitude="neutral"),
        account_id=account,
    )
    if ties:
        for a, b, kind, note in (
            ("lucja", "stefan", "reports to", "org chart, Nov 2026"),
            ("jiri", "stefan", "rival", None),
            ("zofie", "jiri", "informal advisor", "lunches every Friday"),
            ("ilona", "lucja", "ally", None),  # another account's person: not on the map
        ):
            svc.add_tie(
                session,
                from_id=people[a],
                to_id=people[b],
                data=svc.TieInput(type=kind, evidence=note),
            )
    session.flush()
    return MapWorld(account, other, deal, people)
