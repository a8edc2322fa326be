"""Champions who left: a few open deals whose champion moved to another company (pure plan).

The committee risk list flags ``champion_left`` when a member's positions at the deal's
account have all ended (services/committee.py ``_left``); this plants that: the champion's
position at the account ends a few weeks before the as-of date and a current one starts
at another account. Its own random stream, so the rest of the demo stays as it was.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from buyermap.demo.common import PlanContext, Row
from buyermap.demo.companies import AccountPlan
from buyermap.demo.constants import OPEN_STAGES
from buyermap.demo.deals import DealPlan
from buyermap.demo.people import PeoplePlan
from buyermap.domain.enums import CommitteeRole

PHASE_CHAMPION_LEFT = 22
OPEN = frozenset(OPEN_STAGES)
CHAMPIONS_LEFT = 4  # champions of open deals who moved to another company
LEFT_DAYS_AGO = (7, 60)  # their position ended this many days before the as-of date


def plant_champions_left(
    ctx: PlanContext,
    accounts: AccountPlan,
    deals: DealPlan,
    people: PeoplePlan,
    committees: list[Row],
) -> PeoplePlan:
    """``people`` with :data:`CHAMPIONS_LEFT` champions of open deals moved: the position at
    the deal's account ended, a current one at another account begun, the email on the new
    company's domain (fewer when the demo is too small to have that many)."""
    rng = ctx.rng(PHASE_CHAMPION_LEFT)
    n_acc = len(people.by_account)
    candidates = sorted(
        {
            (m["_contact"], m["_account"])
            for m in committees
            if m["role"] == CommitteeRole.CHAMPION.value
            and deals.moves[m["_deal"]][-1].stage in OPEN
        }
    )
    if n_acc < 2 or not candidates:
        return people
    picks = rng.permutation(len(candidates))[:CHAMPIONS_LEFT]
    positions = [dict(p) for p in people.positions]
    by_account = [list(members) for members in people.by_account]
    contacts = list(people.contacts)
    today = ctx.as_of.date()
    emails = {str(c["email"]) for c in contacts}
    for i in sorted(int(k) for k in picks):
        contact, account = candidates[i]
        ended = today - timedelta(days=int(rng.integers(*LEFT_DAYS_AGO)))
        new = int(rng.integers(n_acc - 1))
        new = new + 1 if new >= account else new
        title = None
        for p in positions:
            if p["_contact"] == contact and p["_account"] == account and p["end_date"] is None:
                p["end_date"] = max(ended, p["start_date"] + timedelta(days=1))
                p["is_primary"] = False
                title = p["title"]
        positions.append(
            {
                "_account": new,
                "_contact": contact,
                "title": title,
                "start_date": ended + timedelta(days=int(rng.integers(1, 20))),
                "end_date": None,
                "is_primary": True,
            }
        )
        if contact in by_account[account]:
            by_account[account].remove(contact)
        by_account[new].append(contact)
        local = str(contacts[contact]["email"]).split("@")[0]
        email, k = f"{local}@{accounts.rows[new]['domain']}", 1
        while email in emails:
            k += 1
            email = f"{local}{k}@{accounts.rows[new]['domain']}"
        emails.add(email)
        contacts[contact] = {**contacts[contact], "_account": new, "email": email}
    return replace(people, positions=positions, by_account=by_account, contacts=contacts)
