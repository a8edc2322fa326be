"""Page forms: create, edit and delete records, move deals, log notes (SQLite and PostgreSQL).

Each test starts from an empty workspace (``client``) and types Polish, Czech and
Hungarian names the way a user would; the CSRF token is the page's, as a browser sends it.
"""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from buyermap.domain.enums import CustomFieldType
from buyermap.schemas.entities import AccountUpdate, DealCreate, StageChangeCreate
from buyermap.schemas.notes import NoteUpdate
from buyermap.services.accounts import get_account, update_account
from buyermap.services.contacts import contact_positions
from buyermap.services.custom_fields import define_field
from buyermap.services.deals import create_deal, get_deal, move_deal, stage_changes
from buyermap.services.notes import get_note, notes_for, update_note
from buyermap.services.users import get_or_create_user
from buyermap.services.workspace import Workspace
from buyermap.web.csrf import FIELD

HX = {"HX-Request": "true"}


def token(client: TestClient, page: str = "/accounts/new") -> str:
    """The CSRF token of a page the client opened (it keeps the cookie)."""
    html = client.get(page).text
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def field_errors(html: str) -> dict[str, str]:
    """The message shown next to each field, by the field's name."""
    found = re.findall(
        r'data-field="([^"]+)">(?:(?!data-field=).)*?<p class="field-error"[^>]*>([^<]*)</p>',
        html,
        flags=re.S,
    )
    return {name: markup.unescape(message) for name, message in found}


def input_value(html: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    return found.group(1) if found else None


def create_account(client: TestClient, **fields: str) -> int:
    response = client.post(
        "/accounts/new", data={FIELD: token(client), **fields}, follow_redirects=False
    )
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].rsplit("/", 1)[1])


def inputs(html: str) -> dict[str, str]:
    """Each input's value by its name, as a browser sends them (checked radios only)."""
    found = re.findall(r'(<input[^>]*name="([^"]+)" value="([^"]*)"[^>]*>)', html)
    return {
        name: value for tag, name, value in found if 'type="radio"' not in tag or " checked" in tag
    }


def edit_form_data(client: TestClient, path: str) -> dict[str, str]:
    """Every input of an edit form as the browser would send it unchanged."""
    return edit_form_data_from(client.get(path).text)


def edit_form_data_from(html: str) -> dict[str, str]:
    """The inputs of the form in ``html`` as a browser sends them (checked radios only)."""
    form = html[html.index('id="record-form"') :]
    data = inputs(form)
    for name, body in re.findall(
        r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


StaleEdit = Callable[..., tuple[int, dict[str, str]]]


@pytest.fixture
def stale_edit(client: TestClient, workspace: Workspace) -> StaleEdit:
    """Create an account, open its edit form, then a colleague saves ``colleague``: the
    account's id and the (now stale) form's data."""

    def make(colleague: AccountUpdate, **fields: str) -> tuple[int, dict[str, str]]:
        account_id = create_account(client, **fields)
        data = edit_form_data(client, f"/accounts/{account_id}/edit")
        with workspace.sessions() as session, session.begin():
            update_account(session, account_id=account_id, data=colleague)
        return account_id, data

    return make


def test_a_new_account_is_created_and_the_browser_goes_to_its_page(
    client: TestClient, workspace: Workspace
) -> None:
    account_id = create_account(
        client,
        name="Zakłady Mięsne Łódź",
        domain="https://www.Zaklady-Lodz.pl/o-nas",
        employees="1 200",
        annual_revenue="2500000.50",
        country="Polska",
    )
    page = client.get(f"/accounts/{account_id}").text
    assert "<h1>Zakłady Mięsne Łódź</h1>" in page
    with workspace.sessions() as session:
        account = get_account(session, account_id=account_id)
        assert (account.domain, account.employees) == ("zaklady-lodz.pl", 1200)
        assert account.annual_revenue == 2500000.5


def test_a_bad_value_comes_back_next_to_its_field_with_everything_typed_kept(
    client: TestClient, workspace: Workspace
) -> None:
    response = client.post(
        "/accounts/new",
        data={
            FIELD: token(client),
            "name": "Škoda Dodávky s.r.o.",
            "employees": "hodně",
            "founded_year": "1491",
            "country": "Česko",
        },
    )
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert errors["employees"] == "“hodně” is not a whole number; enter digits only, e.g. 1200"
    assert "greater than or equal to 1600" in errors["founded_year"]
    assert "name" not in errors
    assert input_value(response.text, "name") == "Škoda Dodávky s.r.o."
    assert input_value(response.text, "country") == "Česko"
    assert input_value(response.text, "employees") == "hodně"
    assert 'aria-invalid="true"' in response.text
    with workspace.sessions() as session:
        assert session.get_bind() is not None
    assert "Škoda" not in client.get("/accounts").text  # nothing was stored


def test_a_missing_name_is_asked_for_in_words(client: TestClient) -> None:
    response = client.post("/accounts/new", data={FIELD: token(client), "industry": "Software"})
    assert response.status_code == 422
    assert field_errors(response.text)["name"] == "Required: enter a value"


def test_a_taken_domain_is_a_conflict_shown_next_to_the_domain(client: TestClient) -> None:
    create_account(client, name="Magyar Posta", domain="posta.hu")
    response = client.post(
        "/accounts/new", data={FIELD: token(client), "name": "Posta Zrt.", "domain": "posta.hu"}
    )
    assert response.status_code == 409
    assert "belongs to account" in field_errors(response.text)["domain"]
    assert input_value(response.text, "name") == "Posta Zrt."


def test_a_contact_made_from_an_account_page_works_there(
    client: TestClient, workspace: Workspace
) -> None:
    account_id = create_account(client, name="Žilinská Strojárna")
    account_page = client.get(f"/accounts/{account_id}").text
    assert f'href="/contacts/new?account_id={account_id}"' in account_page
    form = client.get(f"/contacts/new?account_id={account_id}").text
    assert f'<option value="{account_id}" selected>Žilinská Strojárna</option>' in form
    response = client.post(
        "/contacts/new",
        data={
            FIELD: token(client),
            "first_name": "Łukasz",
            "last_name": "Żółkiewski",
            "email": "Lukasz@Strojarna.sk",
            "seniority": "c_level",
            "job_title": "Dyrektor finansowy",
            "account_id": str(account_id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    contact_id = int(response.headers["location"].rsplit("/", 1)[1])
    with workspace.sessions() as session:
        [(link, account)] = contact_positions(session, contact_id=contact_id)
        assert account.id == account_id
        assert link.title == "Dyrektor finansowy"
    page = client.get(f"/contacts/{contact_id}").text
    assert "Łukasz Żółkiewski" in page
    choices = client.get("/contacts/new").text
    assert "C-level executive" in choices
    assert ">c_level<" not in choices


def test_the_account_picker_finds_accounts_as_you_type(client: TestClient) -> None:
    create_account(client, name="Þorsteinsson ehf.")
    found = create_account(client, name="Hämäläinen Oy")
    options = client.get(
        "/accounts/choices", params={"field": "account_id", "account_search": "hämä"}, headers=HX
    ).text
    assert f'<option value="{found}">Hämäläinen Oy</option>' in options
    assert "Þorsteinsson" not in options
    assert '<option value="" selected>No account</option>' in options


def test_an_edit_saves_only_what_changed_and_goes_to_the_record(
    client: TestClient, workspace: Workspace
) -> None:
    account_id = create_account(client, name="Ostravské Pivovary", industry="Nápoje")
    data = edit_form_data(client, f"/accounts/{account_id}/edit")
    assert data["version"] == "1"
    data |= {"industry": "Pivovarnictví", "employees": "350"}
    response = client.post(f"/accounts/{account_id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/accounts/{account_id}"
    with workspace.sessions() as session:
        account = get_account(session, account_id=account_id)
        assert (account.industry, account.employees, account.version) == ("Pivovarnictví", 350, 2)


def test_a_stale_save_shows_both_values_and_saving_again_keeps_mine(
    client: TestClient, workspace: Workspace, stale_edit: StaleEdit
) -> None:
    account_id, data = stale_edit(
        AccountUpdate(industry="Energetika"), name="Brněnské Strojírny", industry="Strojírenství"
    )
    data["industry"] = "Automotive"
    response = client.post(f"/accounts/{account_id}/edit", data=data)
    assert response.status_code == 409
    html = response.text
    assert "Someone else saved this account after you opened it" in html
    row = re.search(r'<tr data-field="industry">(.*?)</tr>', html, re.S)
    assert row is not None
    assert '<td class="yours">Automotive</td>' in row.group(1)
    assert '<td class="saved">Energetika</td>' in row.group(1)
    assert input_value(html, "industry") == "Automotive"  # my value is kept in the form
    assert input_value(html, "version") == "2"
    with workspace.sessions() as session:
        assert get_account(session, account_id=account_id).industry == "Energetika"

    again = edit_form_data_from(html)
    response = client.post(f"/accounts/{account_id}/edit", data=again, follow_redirects=False)
    assert response.status_code == 303
    with workspace.sessions() as session:
        account = get_account(session, account_id=account_id)
        assert (account.industry, account.version) == ("Automotive", 3)


def test_a_save_after_a_conflict_keeps_what_the_colleague_changed_elsewhere(
    client: TestClient, workspace: Workspace, stale_edit: StaleEdit
) -> None:
    account_id, data = stale_edit(
        AccountUpdate(industry="Édesség"), name="Győri Keksz", industry="Élelmiszer"
    )
    data["employees"] = "420"  # I change another field than my colleague did
    response = client.post(f"/accounts/{account_id}/edit", data=data)
    assert response.status_code == 409
    rows = re.findall(r'<tr data-field="([^"]+)">', response.text)
    assert rows == ["employees"]  # my stale industry is no change of mine
    again = edit_form_data_from(response.text)
    assert client.post(f"/accounts/{account_id}/edit", data=again).status_code == 200
    with workspace.sessions() as session:
        account = get_account(session, account_id=account_id)
        assert (account.industry, account.employees) == ("Édesség", 420)


def test_after_a_conflict_each_field_keeps_the_value_the_user_picked(
    client: TestClient, workspace: Workspace, stale_edit: StaleEdit
) -> None:
    account_id, data = stale_edit(
        AccountUpdate(industry="Textil", country="SK"),
        name="Szegedi Paprika",
        industry="Élelmiszer",
    )
    data |= {"industry": "Fűszer", "country": "HU"}
    response = client.post(f"/accounts/{account_id}/edit", data=data)
    assert response.status_code == 409
    assert re.findall(r'name="pick\.([^"]+)" value="mine" checked', response.text) == [
        "industry",
        "country",
    ]
    again = edit_form_data_from(response.text) | {"pick.industry": "mine", "pick.country": "saved"}
    saved = client.post(f"/accounts/{account_id}/edit", data=again, follow_redirects=False)
    assert saved.status_code == 303
    with workspace.sessions() as session:
        account = get_account(session, account_id=account_id)
        assert (account.industry, account.country, account.version) == ("Fűszer", "SK", 3)


def test_custom_fields_get_inputs_of_their_type_and_are_validated(
    client: TestClient, workspace: Workspace
) -> None:
    with workspace.sessions() as session, session.begin():
        define_field(session, entity="account", key="plants", type=CustomFieldType.INTEGER)
        define_field(
            session,
            entity="account",
            key="tier",
            type=CustomFieldType.CHOICE,
            label="Customer tier",
            choices=["Zlatý", "Stříbrný"],
        )
        define_field(session, entity="account", key="iso_certified", type=CustomFieldType.BOOLEAN)
        define_field(session, entity="account", key="audit_on", type=CustomFieldType.DATE)
    form = client.get("/accounts/new").text
    assert '<select id="f-custom-tier" name="custom.tier"' in form
    assert '<input type="checkbox" id="f-custom-iso-certified" name="custom.iso_certified"' in form
    assert 'name="custom.audit_on" value=""\n         type="date"' in form
    refused = client.post(
        "/accounts/new",
        data={FIELD: token(client), "name": "Vítkovice", "custom.plants": "tři"},
    )
    assert refused.status_code == 422
    assert field_errors(refused.text)["custom.plants"].startswith("“tři” is not a whole number")
    account_id = create_account(
        client,
        name="Vítkovice",
        **{
            "custom.plants": "3",
            "custom.tier": "Zlatý",
            "custom.iso_certified": "on",
            "custom.audit_on": "2026-05-04",
        },
    )
    with workspace.sessions() as session:
        assert get_account(session, account_id=account_id).custom == {
            "plants": 3,
            "tier": "Zlatý",
            "iso_certified": True,
            "audit_on": "2026-05-04",
        }


def test_deleting_an_account_asks_first_and_then_says_what_went_with_it(
    client: TestClient, workspace: Workspace
) -> None:
    account_id = create_account(client, name="Debreceni Malom")
    with workspace.sessions() as session, session.begin():
        create_deal(session, data=DealCreate(name="Lisztgyár", account_id=account_id))
    confirm = client.get(f"/accounts/{account_id}/delete").text
    assert "Delete account “Debreceni Malom”?" in confirm
    assert "its deals stay" in confirm
    response = client.post(f"/accounts/{account_id}/delete", data={FIELD: token(client)})
    assert response.status_code == 200  # after the redirect
    assert "Account “Debreceni Malom” deleted" in response.text
    assert "1 deal kept, now without an account" in response.text
    assert client.get(f"/accounts/{account_id}").status_code == 404


def test_a_form_post_without_its_token_is_refused_and_changes_nothing(client: TestClient) -> None:
    client.get("/accounts/new")
    response = client.post("/accounts/new", data={"name": "Bez tokenu"})
    assert response.status_code == 403
    assert 'data-code="csrf_failed"' in response.text
    assert "Bez tokenu" not in client.get("/accounts").text


COLUMN = re.compile(
    r'<section class="board-col" data-stage="([^"]+)"[^>]*>\s*<h2>[^<]+</h2>\s*'
    r'<p class="col-sum" data-count="\d+">([^<]+)</p>'
)


def column_sums(html: str) -> dict[str, str]:
    """Each board column's count and summed amount as shown, by stage."""
    return {stage: shown.strip() for stage, shown in COLUMN.findall(html)}


def _deal(workspace: Workspace, name: str = "Dodávka turbín") -> int:
    with workspace.sessions() as session, session.begin():
        deal = create_deal(
            session,
            data=DealCreate(
                name=name, amount=48000, currency="CZK", opened_at=datetime(2026, 1, 5)
            ),
        )
        return deal.id


@pytest.fixture
def deal_id(workspace: Workspace) -> int:
    """An open deal in the first stage of the default pipeline."""
    return _deal(workspace)


def test_a_deal_is_edited_and_moved_from_its_page(
    client: TestClient, workspace: Workspace, deal_id: int
) -> None:
    data = edit_form_data(client, f"/deals/{deal_id}/edit")
    assert data["currency"] == "CZK"
    data |= {"amount": "52000", "expected_close": "2026-09-30"}
    assert (
        client.post(f"/deals/{deal_id}/edit", data=data, follow_redirects=False).status_code == 303
    )
    with workspace.sessions() as session:
        ana = get_or_create_user(session, name="Anna Nováková")
        session.commit()
        ana_id = ana.id
    page = client.get(f"/deals/{deal_id}").text
    assert 'id="stage-move"' in page
    response = client.post(
        f"/deals/{deal_id}/move",
        data={
            FIELD: token(client),
            "to_stage": "Qualified",
            "changed_at": "2026-02-01",
            "changed_by_id": str(ana_id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/deals/{deal_id}"
    with workspace.sessions() as session:
        deal = get_deal(session, deal_id=deal_id)
        assert (deal.amount, deal.stage.name if deal.stage else None) == (52000, "Qualified")
        last = stage_changes(session, deal_id=deal_id)[-1]
        assert (last.changed_at, last.changed_by_id) == (datetime(2026, 2, 1), ana_id)


def test_a_move_back_in_time_is_refused_next_to_the_date(
    client: TestClient, workspace: Workspace, deal_id: int
) -> None:
    response = client.post(
        f"/deals/{deal_id}/move",
        data={FIELD: token(client), "to_stage": "Qualified", "changed_at": "2025-12-01"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "earlier than the deal's last change" in field_errors(response.text)["changed_at"]
    assert input_value(response.text, "changed_at") == "2025-12-01"


def test_a_lost_move_from_the_board_records_the_reason(
    client: TestClient, workspace: Workspace
) -> None:
    deal_id = _deal(workspace, "Mosonmagyaróvári tender")
    board = client.get("/deals/board").text
    assert 'data-stage="Lead"' in board
    assert column_sums(board)["Lead"] == "1 deal · 48,000 CZK"
    assert "Why was it lost?" in board
    response = client.post(
        f"/deals/{deal_id}/move",
        data={FIELD: token(client), "to_stage": "Closed Lost", "lost_reason": "Ár", "board": "1"},
        headers=HX,
    )
    assert response.status_code == 200
    assert 'id="board"' in response.text
    assert "<html" not in response.text
    assert f'data-deal="{deal_id}"' not in response.text  # off the board of open deals
    with workspace.sessions() as session:
        deal = get_deal(session, deal_id=deal_id)
        assert deal.status == "lost"
        assert deal.lost_reason is not None
        assert deal.lost_reason.name == "Ár"


def test_the_board_moves_a_card_to_the_next_stage_and_counts_again(
    client: TestClient, workspace: Workspace, deal_id: int
) -> None:
    with workspace.sessions() as session, session.begin():
        move_deal(session, data=StageChangeCreate(deal_id=deal_id, to_stage="Qualified"))
    response = client.post(
        f"/deals/{deal_id}/move",
        data={FIELD: token(client), "to_stage": "Discovery", "board": "1"},
        headers=HX,
    )
    sums = column_sums(response.text)
    assert sums["Discovery"] == "1 deal · 48,000 CZK"
    assert sums["Qualified"] == "0 deals"
    assert "0 days in stage" in response.text


def test_a_note_is_logged_with_tags_and_comes_back_as_the_notes_region(
    client: TestClient, workspace: Workspace, deal_id: int
) -> None:
    response = client.post(
        f"/deals/{deal_id}/notes",
        data={
            FIELD: token(client),
            "kind": "interview",
            "title": "Rozhovor s nákupem",
            "occurred_at": "2026-03-02",
            "tags": "cena, konkurence",
            "body": "Chtějí slevu 5 %.",
        },
        headers=HX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="notes-body">')
    assert "#konkurence" in response.text
    assert "Interview" in response.text
    with workspace.sessions() as session:
        [note] = notes_for(session, deal_id=deal_id)
        assert (note.kind, note.tags, note.occurred_at) == (
            "interview",
            ["cena", "konkurence"],
            datetime(2026, 3, 2),
        )


def test_a_note_without_a_body_comes_back_with_the_reason_and_the_title_kept(
    client: TestClient, workspace: Workspace, deal_id: int
) -> None:
    response = client.post(
        f"/deals/{deal_id}/notes",
        data={FIELD: token(client), "kind": "call", "title": "Telefonát", "body": ""},
        headers=HX,
    )
    assert response.status_code == 422
    assert field_errors(response.text)["body"] == "Required: enter a value"
    assert input_value(response.text, "title") == "Telefonát"


def test_a_stale_note_edit_shows_both_values(
    client: TestClient, workspace: Workspace, deal_id: int
) -> None:
    client.post(
        f"/deals/{deal_id}/notes",
        data={FIELD: token(client), "kind": "call", "title": "Hovor", "body": "Původní text."},
    )
    with workspace.sessions() as session:
        [note] = notes_for(session, deal_id=deal_id)
        note_id = note.id
    form = client.get(f"/notes/{note_id}/edit", headers=HX).text
    data = dict(re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', form))
    data |= {"kind": "call", "orig.kind": "call", "body": "Můj text.", "orig.body": "Původní text."}
    with workspace.sessions() as session, session.begin():
        update_note(session, note_id=note_id, data=NoteUpdate(body="Kolegův text."))
    response = client.post(f"/notes/{note_id}/edit", data=data, headers=HX)
    assert response.status_code == 409
    row = re.search(r'<tr data-field="body">(.*?)</tr>', response.text, re.S)
    assert row is not None
    assert "Můj text." in row.group(1)
    assert "Kolegův text." in row.group(1)
    again = inputs(response.text)
    again |= {"kind": "call", "body": "Můj text."}
    saved = client.post(f"/notes/{note_id}/edit", data=again, headers=HX)
    assert saved.status_code == 200
    with workspace.sessions() as session:
        assert get_note(session, note_id=note_id).body == "Můj text."
    deleted = client.post(f"/notes/{note_id}/delete", data={FIELD: token(client)}, headers=HX)
    assert deleted.status_code == 200
    assert deleted.text == ""
    with workspace.sessions() as session:
        assert notes_for(session, deal_id=deal_id) == []


@pytest.mark.parametrize("path", ["/accounts/new", "/contacts/new", "/deals/new", "/deals/board"])
def test_form_pages_speak_in_words(client: TestClient, path: str) -> None:
    html = client.get(path).text
    labels = re.findall(r"<label for=\"[^\"]+\">([^<]+)", html)
    assert labels, path
    assert all("_" not in label for label in labels), labels
