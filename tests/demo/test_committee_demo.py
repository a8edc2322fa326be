"""The demo's planted committee pattern shows in "what wins" and in the risk list.

demo/committees.py draws each member's attitude by the deal's planted fate
(ATTITUDE_BY_FATE: won deals' committees are mostly supporters, lost ones mostly neutral,
sceptics and opponents), so deals whose most influential member supports us must win
clearly more often than those led by a sceptic or an opponent."""

from __future__ import annotations

from sqlalchemy.orm import Session

from buyermap.demo.committees import ATTITUDE_BY_FATE
from buyermap.seams.committee import risk_list, wins
from buyermap.services.workspace import Workspace


def test_the_planted_attitudes_show_in_what_wins(stat_session: Session) -> None:
    doc = wins(stat_session)
    top = {g.group: g for g in doc.groups if g.cut == "top_attitude"}
    supporter, neutral, sceptic = top["supporter"], top["neutral"], top["skeptic"]
    assert all(g.enough for g in (supporter, neutral, sceptic))
    assert supporter.low is not None
    assert neutral.high is not None
    assert sceptic.high is not None
    assert supporter.low > neutral.high  # supporters win clearly more often
    assert supporter.low > sceptic.high
    assert (neutral.win_rate or 0) > (sceptic.win_rate or 0)
    assert ATTITUDE_BY_FATE["won"][0] > ATTITUDE_BY_FATE["lost"][0]  # what is planted
    assert doc.closed == sum(g.n for g in doc.groups if g.cut == "coverage")
    assert any("supporter" in line and "do not overlap" in line for line in doc.findings)
    assert "after" in doc.caveat
    eb = [g for g in doc.groups if g.cut == "economic_buyer"]
    assert {g.group for g in eb} >= {"absent", "at:Lead"}


def test_the_demo_open_deals_carry_each_kind_of_risk(stat_session: Session) -> None:
    doc = risk_list(stat_session, sort="amount")
    codes = {f.code.split(":")[0] for d in doc.deals for f in d.flags}
    assert codes >= {
        "no_economic_buyer",
        "single_threaded",
        "opponent_high_influence",
        "missing_role",
        "unknown_attitude_high_influence",
        "stale_verification",
    }
    at_risk = [d.amount_at_risk for d in doc.deals]
    assert at_risk == sorted(at_risk, reverse=True)


def test_the_risk_list_agrees_with_each_deals_own_committee(stat_session: Session) -> None:
    """The list counts sizes and roles in SQL and loads only telling members; each deal's
    page loads its whole committee: both must give the same flags, word for word."""
    from datetime import datetime

    from buyermap.seams.committee import deal_committee

    now = datetime(2026, 11, 30)
    listed = risk_list(stat_session, sort="deal", now=now)
    assert listed.deals
    for d in listed.deals[:: max(len(listed.deals) // 60, 1)]:
        own = deal_committee(stat_session, deal_id=d.deal_id, now=now)
        assert [(f.code, f.message) for f in own.flags] == [(f.code, f.message) for f in d.flags]
        assert own.completeness is not None
        assert own.completeness.missing == d.completeness.missing


def test_the_demo_committees_have_allies_rivals_and_informal_advisors(
    stat_session: Session,
) -> None:
    from sqlalchemy import func, select

    from buyermap.db.models import Account, ContactRelationship
    from buyermap.seams.relationship_map import relationship_map

    kinds = dict(
        stat_session.execute(
            select(ContactRelationship.kind, func.count()).group_by(ContactRelationship.kind)
        ).all()
    )
    assert set(kinds) == {
        "reports_to",
        "influences",
        "allies_with",
        "conflicts_with",
        "informal_advisor",
    }
    assert all(n >= 20 for n in kinds.values())
    planted = stat_session.scalar(
        select(ContactRelationship).where(ContactRelationship.kind == "informal_advisor")
    )
    assert planted is not None
    assert planted.evidence
    # an informal advisor advises the most influential member of the account's committees
    maps = [
        relationship_map(stat_session, account_id=a)
        for a in stat_session.scalars(select(Account.id).order_by(Account.id).limit(40))
    ]
    advisors = [(m, e) for m in maps for e in m.edges if e.type == "informal_advisor"]
    assert advisors
    for m, e in advisors:
        top = max(n.influence or 0 for n in m.nodes if n.member)
        assert next(n for n in m.nodes if n.contact_id == e.to).influence == top


def test_the_demo_plants_open_deals_whose_champion_moved_to_another_company(
    stat_session: Session,
) -> None:
    """demo/champions.py ends the position of CHAMPIONS_LEFT open deals' champions at the
    deal's account and starts one elsewhere: the risk list names each of them."""
    from sqlalchemy import select

    from buyermap.db.models import AccountContact, Contact
    from buyermap.demo.champions import CHAMPIONS_LEFT

    doc = risk_list(stat_session, sort="deal")
    left = [(d, f) for d in doc.deals for f in d.flags if f.code == "champion_left"]
    moved = {cid for _, f in left for cid in f.contact_ids}
    assert len(left) >= 3
    assert 3 <= len(moved) <= CHAMPIONS_LEFT
    for deal, flag in left:
        assert deal.account is not None
        assert f"left {deal.account} on 2026-" in flag.message
        assert "(champion)" in flag.message
    for cid in moved:
        positions = stat_session.scalars(
            select(AccountContact).where(AccountContact.contact_id == cid)
        ).all()
        current = [p for p in positions if p.end_date is None]
        assert len(current) == 1, stat_session.get(Contact, cid)
        started = current[0].start_date
        ended = [p.end_date for p in positions if p.end_date is not None]
        assert started is not None
        assert any(end < started for end in ended)  # moved, then started elsewhere


def test_the_what_wins_page_shows_the_planted_attitudes_in_words(
    stat_workspace: Workspace,
) -> None:
    """/committee/wins on the demo: the three cuts with rates in % and their intervals,
    supporters' row above sceptics', the findings and the after-the-fact caveat."""
    import re

    from tests.factories import make_client

    url = str(stat_workspace.engine.url)
    with make_client(url, stat_workspace) as client:
        html = client.get("/committee/wins").text
    assert html.count('<table class="list wins"') == 3
    section = html.split('data-cut="top_attitude"')[1].split("</table>")[0]
    row = r'data-group="(\w+)">.*?<td class="num">\d+</td>\s*<td class="num">\d+</td>'
    rows = dict(re.findall(row + r'\s*<td class="num">(\d+) %</td>', section, flags=re.S))
    assert int(rows["supporter"]) > int(rows["neutral"]) > int(rows["skeptic"])
    assert "Read with care" in html
    assert "do not overlap" in html
