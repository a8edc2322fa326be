"""Buying committees: ``/api/v1/deals/{id}/committee``, ``/api/v1/accounts/{id}/committee``,
``/api/v1/committee-members/{id}``, ``/api/v1/committee/risks``, ``/api/v1/committee/wins``,
``/api/v1/committee/roles`` and ``/api/v1/pipelines/{id}/required-roles``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from buyermap.db.models import CommitteeMember
from buyermap.schemas.committee import MemberCreate, MemberUpdate, RequiredRoles, RoleCreate
from buyermap.schemas.common import MAX_INT
from buyermap.seams import committee as seam
from buyermap.services import committee as svc
from buyermap.services.pipelines import get_pipeline
from buyermap.web.api.v1.params import PathId
from buyermap.web.api.v1.versions import CONFLICT, VERSIONED, IfMatchDep, set_etag, with_version
from buyermap.web.deps import WRITE, SessionDep, SettingsDep

router = APIRouter(tags=["buying committee"])

RoleKey = Annotated[str, Path(min_length=1, max_length=120, description="A role's key or label")]


def _member(session: SessionDep, settings: SettingsDep, m: CommitteeMember) -> seam.MemberDoc:
    """The member as its committee's document shows it (with its share)."""
    if m.deal_id is not None:
        doc = seam.deal_committee(
            session, deal_id=m.deal_id, stale_days=settings.committee_stale_days
        )
    else:
        doc = seam.account_committee(session, account_id=m.account_id)
    return next(x for x in doc.members if x.id == m.id)


def _input(data: MemberCreate | MemberUpdate) -> dict[str, Any]:
    changes = data.model_dump(exclude_unset=True)
    changes.pop("version", None)
    changes.pop("contact_id", None)
    return changes


@router.get("/deals/{deal_id}/committee", summary="A deal's buying committee")
def get_deal_committee(
    session: SessionDep, settings: SettingsDep, deal_id: PathId
) -> seam.CommitteeDocument:
    """Members (with their share of the decision), completeness against the roles the
    deal's stage requires, and (open deals) the risks in words. 404 for no such deal."""
    return seam.deal_committee(session, deal_id=deal_id, stale_days=settings.committee_stale_days)


@router.post(
    "/deals/{deal_id}/committee",
    status_code=status.HTTP_201_CREATED,
    summary="Add a person to a deal's committee",
    dependencies=[WRITE],
)
def add_deal_member(
    session: SessionDep, settings: SettingsDep, deal_id: PathId, data: MemberCreate
) -> seam.MemberDoc:
    """Place a contact on the committee; a role outside the catalogue or a bad attitude is
    422 (the message lists the valid ones); 409 when they sit on it already."""
    member = svc.add_member(
        session, contact_id=data.contact_id, deal_id=deal_id, data=svc.MemberInput(**_input(data))
    )
    return _member(session, settings, member)


@router.get("/accounts/{account_id}/committee", summary="An account's standing decision group")
def get_account_committee(session: SessionDep, account_id: PathId) -> seam.CommitteeDocument:
    """The account's own committee (members tied to no deal), with their shares."""
    return seam.account_committee(session, account_id=account_id)


@router.post(
    "/accounts/{account_id}/committee",
    status_code=status.HTTP_201_CREATED,
    summary="Add a person to an account's standing group",
    dependencies=[WRITE],
)
def add_account_member(
    session: SessionDep, settings: SettingsDep, account_id: PathId, data: MemberCreate
) -> seam.MemberDoc:
    """Place a contact in the account's standing decision group (as for a deal)."""
    member = svc.add_member(
        session,
        contact_id=data.contact_id,
        account_id=account_id,
        data=svc.MemberInput(**_input(data)),
    )
    return _member(session, settings, member)


@router.get("/committee-members/{member_id}", summary="A committee member", responses=VERSIONED)
def get_member(
    session: SessionDep, settings: SettingsDep, member_id: PathId, response: Response
) -> seam.MemberDoc:
    """One member; their version in the ``ETag`` header."""
    member = svc.get_member(session, member_id=member_id)
    set_etag(response, member.version)
    return _member(session, settings, member)


@router.patch(
    "/committee-members/{member_id}",
    summary="Change a committee member",
    dependencies=[WRITE],
    responses={**VERSIONED, **CONFLICT},
)
def update_member(
    session: SessionDep,
    settings: SettingsDep,
    member_id: PathId,
    data: MemberUpdate,
    version: IfMatchDep,
    response: Response,
) -> seam.MemberDoc:
    """Change the fields sent (role, influence, attitude, positions, relation, evidence,
    verified_at); a stale version (``If-Match`` or ``version``) is refused with 409."""
    data = with_version(data, version)
    member = svc.update_member(
        session, member_id=member_id, changes=_input(data), version=data.version
    )
    set_etag(response, member.version)
    return _member(session, settings, member)


@router.delete(
    "/committee-members/{member_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Take a person off a committee",
    dependencies=[WRITE],
    responses=CONFLICT,
)
def delete_member(session: SessionDep, member_id: PathId, version: IfMatchDep) -> Response:
    """Remove the member (the contact stays). With ``If-Match``, a stale version is 409."""
    svc.remove_member(session, member_id=member_id, version=version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/committee/risks", summary="Committee risks of open deals")
def get_risks(
    session: SessionDep,
    settings: SettingsDep,
    deal: Annotated[int | None, Query(ge=1, le=MAX_INT, description="Only this open deal.")] = None,
    sort: Annotated[
        seam.RiskSort, Query(description="risk (most risks first), amount (at risk) or deal")
    ] = "risk",
) -> seam.RisksDocument:
    """Every open deal with its committee risks (code and message) and amount at risk; the
    same document as ``buyermap committee risks --json``."""
    return seam.risk_list(
        session, deal_id=deal, sort=sort, stale_days=settings.committee_stale_days
    )


@router.get("/committee/wins", summary="What wins")
def get_wins(session: SessionDep) -> seam.WinsDocument:
    """Win rates of closed deals by committee coverage, economic buyer and the most
    influential member's attitude, with 95% intervals, findings and the caveat; 422 below
    the evidence floor. The same document as ``buyermap committee wins --json``."""
    return seam.wins(session)


@router.get("/committee/roles", summary="The committee role catalogue")
def get_roles(session: SessionDep) -> seam.RolesDocument:
    """The active roles: the defaults as the workspace named them, then its own."""
    return seam.roles(session)


@router.post(
    "/committee/roles",
    status_code=status.HTTP_201_CREATED,
    summary="Add or rename a committee role",
    dependencies=[WRITE],
)
def add_role(session: SessionDep, data: RoleCreate) -> seam.RolesDocument:
    """Add a role (its key from the label unless given), or rename one by its key."""
    svc.set_role(session, label=data.label, key=data.key)
    return seam.roles(session)


@router.delete(
    "/committee/roles/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Take a role out of the catalogue",
    dependencies=[WRITE],
)
def hide_role(session: SessionDep, key: RoleKey) -> Response:
    """Hide a role; 409 while members hold it."""
    svc.hide_role(session, key=key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/pipelines/{pipeline_id}/required-roles", summary="Roles a pipeline requires")
def get_required(session: SessionDep, pipeline_id: PathId) -> seam.RequiredRolesDocument:
    """Each required role and the stage it is required from; ``defaults`` when the
    pipeline has none of its own (the default rules, matched to its stages)."""
    return seam.required_roles(session, pipeline=get_pipeline(session, pipeline_id=pipeline_id))


@router.put(
    "/pipelines/{pipeline_id}/required-roles",
    summary="Set the roles a pipeline requires",
    dependencies=[WRITE],
)
def put_required(
    session: SessionDep, pipeline_id: PathId, data: RequiredRoles
) -> seam.RequiredRolesDocument:
    """Replace the pipeline's rules (role and stage names in words); an empty list goes
    back to the defaults. An unknown role or stage is 422 with the valid ones."""
    svc.set_requirements(
        session, pipeline_id=pipeline_id, rules=[(r.role, r.stage) for r in data.required]
    )
    return seam.required_roles(session, pipeline=get_pipeline(session, pipeline_id=pipeline_id))
