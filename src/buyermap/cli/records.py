"""``accounts``, ``contacts`` and ``deals``: list (search, sort, page) and show one record."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from buyermap.cli.common import console, print_json, unit_of_work
from buyermap.db.types import utcnow
from buyermap.schemas.entities import (
    AccountPublic,
    ContactPublic,
    DealPublic,
    StageVisitPublic,
)
from buyermap.services import accounts as account_svc
from buyermap.services import contacts as contact_svc
from buyermap.services import deals as deal_svc
from buyermap.services.listing import Listed, ListQuery

accounts_app = typer.Typer(help="Companies you sell to.", no_args_is_help=True)
contacts_app = typer.Typer(help="People at your accounts.", no_args_is_help=True)
deals_app = typer.Typer(help="Deals and their stage history.", no_args_is_help=True)

Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
Search = Annotated[str | None, typer.Option("--q", "-q", help="Search text.")]
Sort = Annotated[str | None, typer.Option(help="Field to sort by; prefix - for descending.")]
PageNo = Annotated[int, typer.Option(min=1, help="Page number, from 1.")]
PageSize = Annotated[int, typer.Option(min=1, max=1000, help="Rows per page.")]


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(contacts_app, name="contacts")
    app.add_typer(deals_app, name="deals")


def _page_json(listed: Listed[Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "items": items,
        "total": listed.total,
        "page": listed.page,
        "page_size": listed.page_size,
        "pages": listed.pages,
    }


def _table(title: str, columns: list[str], rows: list[list[Any]], listed: Listed[Any]) -> None:
    table = Table(title=f"{title} (page {listed.page}/{listed.pages}, {listed.total:,} in all)")
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


@accounts_app.command("list")
def accounts_list(
    ctx: typer.Context,
    q: Search = None,
    sort: Sort = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
    as_json: Json = False,
) -> None:
    """List accounts.

    Example: [bold]buyermap accounts list --q software --sort -employees --json[/]
    """
    with unit_of_work(ctx) as session:
        listed = account_svc.list_accounts(
            session, query=ListQuery(q=q, sort=sort, page=page, page_size=page_size)
        )
        items = [AccountPublic.model_validate(a) for a in listed.items]
    if as_json:
        print_json(_page_json(listed, [i.model_dump() for i in items]))
        return
    rows = [[a.id, a.name, a.domain, a.industry, a.employees, a.country] for a in items]
    _table("accounts", ["id", "name", "domain", "industry", "employees", "country"], rows, listed)


@accounts_app.command("show")
def accounts_show(ctx: typer.Context, account_id: int, as_json: Json = False) -> None:
    """Show one account with its people and deals.

    Example: [bold]buyermap accounts show 12 --json[/]
    """
    with unit_of_work(ctx) as session:
        account = AccountPublic.model_validate(
            account_svc.get_account(session, account_id=account_id)
        )
        people = [
            {
                "contact_id": c.id,
                "name": c.full_name,
                "title": link.title,
                "start_date": link.start_date,
                "end_date": link.end_date,
            }
            for link, c in account_svc.account_contacts(session, account_id=account_id)
        ]
        deals = deal_svc.account_deals(session, account_id=account_id)
        deal_rows = [DealPublic.model_validate(d).model_dump() for d in deals]
    if as_json:
        print_json({**account.model_dump(), "contacts": people, "deals": deal_rows})
        return
    console.print(f"[bold]{account.name}[/] (#{account.id}) {account.domain or ''}")
    for key in ("industry", "employees", "annual_revenue", "founded_year", "country", "region"):
        console.print(f"  {key.replace('_', ' ')}: {getattr(account, key) or '-'}")
    console.print(f"  people: {len(people)}, deals: {len(deal_rows)}")
    for d in deal_rows:
        console.print(f"   - #{d['id']} {d['name']} [{d['status']}] {d['stage_name']}")


@contacts_app.command("list")
def contacts_list(
    ctx: typer.Context,
    q: Search = None,
    sort: Sort = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
    as_json: Json = False,
) -> None:
    """List contacts.

    Example: [bold]buyermap contacts list --q cfo --json[/]
    """
    with unit_of_work(ctx) as session:
        listed = contact_svc.list_contacts(
            session, query=ListQuery(q=q, sort=sort, page=page, page_size=page_size)
        )
        items = [ContactPublic.model_validate(c) for c in listed.items]
    if as_json:
        print_json(_page_json(listed, [i.model_dump() for i in items]))
        return
    rows = [[c.id, c.full_name, c.email, c.job_title, c.seniority] for c in items]
    _table("contacts", ["id", "name", "email", "title", "seniority"], rows, listed)


@contacts_app.command("show")
def contacts_show(ctx: typer.Context, contact_id: int, as_json: Json = False) -> None:
    """Show one contact with the positions they held.

    Example: [bold]buyermap contacts show 7[/]
    """
    with unit_of_work(ctx) as session:
        contact = ContactPublic.model_validate(
            contact_svc.get_contact(session, contact_id=contact_id)
        )
        positions = [
            {
                "account_id": a.id,
                "account": a.name,
                "title": link.title,
                "start_date": link.start_date,
                "end_date": link.end_date,
            }
            for link, a in contact_svc.contact_positions(session, contact_id=contact_id)
        ]
    if as_json:
        print_json({**contact.model_dump(), "positions": positions})
        return
    console.print(f"[bold]{contact.full_name}[/] (#{contact.id}) {contact.email or ''}")
    console.print(f"  {contact.job_title or '-'} · {contact.department or '-'}")
    for p in positions:
        until = p["end_date"] or "now"
        console.print(f"   - {p['account']} ({p['title'] or '-'}) {p['start_date'] or '?'}-{until}")


@deals_app.command("list")
def deals_list(
    ctx: typer.Context,
    q: Search = None,
    sort: Sort = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
    as_json: Json = False,
) -> None:
    """List deals, newest first.

    Example: [bold]buyermap deals list --sort -amount --json[/]
    """
    with unit_of_work(ctx) as session:
        listed = deal_svc.list_deals(
            session, query=ListQuery(q=q, sort=sort, page=page, page_size=page_size)
        )
        items = [DealPublic.model_validate(d) for d in listed.items]
    if as_json:
        print_json(_page_json(listed, [i.model_dump() for i in items]))
        return
    rows = [[d.id, d.name, d.stage_name, d.status, d.amount, d.currency] for d in items]
    _table("deals", ["id", "name", "stage", "status", "amount", "cur"], rows, listed)


@deals_app.command("show")
def deals_show(ctx: typer.Context, deal_id: int, as_json: Json = False) -> None:
    """Show one deal and its stage timeline (time spent in each stage).

    Example: [bold]buyermap deals show 42 --json[/]
    """
    now = utcnow()
    with unit_of_work(ctx) as session:
        deal = DealPublic.model_validate(deal_svc.get_deal(session, deal_id=deal_id))
        timeline = [
            StageVisitPublic.from_visit(v, now)
            for v in deal_svc.deal_timeline(session, deal_id=deal_id)
        ]
    if as_json:
        print_json({**deal.model_dump(), "timeline": [t.model_dump() for t in timeline]})
        return
    console.print(
        f"[bold]{deal.name}[/] (#{deal.id}) {deal.status} · {deal.amount} {deal.currency}"
    )
    table = Table(title="stage timeline")
    for col in ("stage", "entered", "left", "days"):
        table.add_column(col)
    for t in timeline:
        left = t.left_at.date().isoformat() if t.left_at else "(now)"
        table.add_row(t.stage, t.entered_at.date().isoformat(), left, f"{t.days:.1f}")
    console.print(table)
