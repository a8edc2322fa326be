"""Rules avatars in the workspace (SQLite and PostgreSQL): versions of a name with kind
rules, custom fields judged by their declared type (a multiple choice as a list), scores
stored with a null probability when there is nothing to calibrate on."""

from __future__ import annotations

from sqlalchemy.orm import Session

from buyermap.domain.avatar_rules import FieldKind
from buyermap.domain.enums import CustomFieldType
from buyermap.schemas.entities import AccountCreate
from buyermap.seams.avatar import score_avatar
from buyermap.seams.avatar_rules import RuleIn, RulesRequest, put_rules, rules_avatar
from buyermap.services import avatars as svc
from buyermap.services.accounts import create_account
from buyermap.services.custom_fields import define_field


def _accounts(session: Session) -> dict[str, int]:
    define_field(
        session, entity="account", key="technology", type=CustomFieldType.MULTI_CHOICE,
        label="Technology used", choices=["SAP", "Salesforce", "Jira"],
    )  # fmt: skip
    define_field(session, entity="account", key="iso_27001", type=CustomFieldType.BOOLEAN)
    out = {}
    for name, tech, iso in [
        ("Þórsson ehf.", ["SAP", "Jira"], True),
        ("Kovács és Társa Kft.", ["Salesforce"], False),
        ("Mäkinen Oy", None, None),
    ]:
        custom = {k: v for k, v in {"technology": tech, "iso_27001": iso}.items() if v is not None}
        account = create_account(session, data=AccountCreate(name=name, custom=custom))
        out[name] = account.id
    return out


def test_custom_fields_are_judged_by_their_type_and_scores_are_stored(session: Session) -> None:
    ids = _accounts(session)
    fields = {f.key: f for f in svc.rule_fields(session)}
    assert fields["technology"].kind is FieldKind.LIST
    assert fields["technology"].label == "technology used"
    assert fields["iso_27001"].kind is FieldKind.YES_NO
    request = RulesRequest(
        rules=[
            RuleIn(field="technology used", operator="includes", value="sap", weight=3),
            RuleIn(field="iso_27001", operator="equals", value="ano", weight=1),
        ]
    )
    saved = put_rules(session, name="Tech fit", request=request)
    assert (saved.avatar.kind, saved.avatar.version, saved.document.stored_scores) == (
        "rules",
        1,
        3,
    )
    assert saved.document.probability.startswith("no probability: calibrating the fit needs")
    again = put_rules(session, name="Tech fit", request=request)
    assert again.avatar.version == 2
    assert [v.version for v in rules_avatar(session, name="Tech fit").versions] == [2, 1]
    scores = {s.account_id: s for s in svc.scores_of(session, avatar=again.avatar)}
    assert (scores[ids["Þórsson ehf."]].fit, scores[ids["Þórsson ehf."]].tier) == (100.0, "A")
    assert scores[ids["Kovács és Társa Kft."]].fit == 0.0
    mäkinen = scores[ids["Mäkinen Oy"]]
    assert (mäkinen.fit, mäkinen.tier, mäkinen.probability) == (0.0, "D", None)
    assert [r["feature"] for r in mäkinen.reasons] == ["technology used", "iso 27001"]
    scored = score_avatar(session, name="Tech fit")
    assert scored.document.calibration is not None
    assert scored.document.calibration["method"] is None
    assert scored.table["probability"].null_count() == 3
    assert scored.table.filter(scored.table["account_id"] == ids["Mäkinen Oy"])["reasons"][0] == (
        "missing: technology used, iso 27001"
    )
    avatar, fits = svc.latest_fits(session, account_ids=list(ids.values()))
    assert avatar is not None
    assert avatar.id == again.avatar.id
    assert fits[ids["Þórsson ehf."]] == (100.0, "A")
