"""Our seller profile, buyers' supplier criteria and the mutual fit:
``/api/v1/profile``, ``/api/v1/accounts/{id}/supplier-criteria``,
``/api/v1/supplier-criteria/{id}``, ``/api/v1/avatar/mutual``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from buyermap.charts.avatar import quadrant
from buyermap.charts.render import to_png
from buyermap.schemas.mutual import (
    CriterionCreate,
    CriterionPublic,
    CriterionUpdate,
    ProfileEntryPublic,
    ProfileValues,
    SellerProfile,
)
from buyermap.seams.mutual import MutualDocument, mutual
from buyermap.services import mutual as svc
from buyermap.web.api.v1.params import PathId
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(tags=["mutual fit"])

ProfileKey = Annotated[str, Path(min_length=1, max_length=120, description="A profile key")]


@router.get("/profile", summary="Our seller profile")
def get_profile(session: SessionDep) -> SellerProfile:
    """Our profile (the "sales persona"): key -> values, keys in alphabetical order."""
    return SellerProfile(profile=svc.seller_profile(session))


@router.put("/profile/{key}", summary="Set a profile key's values", dependencies=[WRITE])
def put_profile_key(
    session: SessionDep, key: ProfileKey, data: ProfileValues
) -> ProfileEntryPublic:
    """Set one key's values (several values in one text are split at ';'); DELETE removes
    the key."""
    entry = svc.set_profile_values(session, key=key, values=data.values)
    return ProfileEntryPublic.model_validate(entry)


@router.delete(
    "/profile/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a profile key",
    dependencies=[WRITE],
)
def delete_profile_key(session: SessionDep, key: ProfileKey) -> Response:
    """Remove one key (404 when the profile has none of that name)."""
    svc.remove_profile_key(session, key=key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/accounts/{account_id}/supplier-criteria", summary="A buyer's supplier criteria")
def list_criteria(session: SessionDep, account_id: PathId) -> list[CriterionPublic]:
    """The account's supplier-selection criteria, oldest first (404 for no such account)."""
    records = svc.account_criteria(session, account_id=account_id)
    return [CriterionPublic.model_validate(c) for c in records]


@router.post(
    "/accounts/{account_id}/supplier-criteria",
    status_code=status.HTTP_201_CREATED,
    summary="Add a supplier criterion",
    dependencies=[WRITE],
)
def add_criterion(
    session: SessionDep, account_id: PathId, data: CriterionCreate
) -> CriterionPublic:
    """Add one criterion; at_least/at_most need a number as value (422); 409 when the
    account has this criterion with this operator already."""
    record = svc.add_criterion(
        session,
        account_id=account_id,
        data=svc.CriterionInput(**data.model_dump(mode="json")),
        source="api",
    )
    return CriterionPublic.model_validate(record)


@router.patch(
    "/supplier-criteria/{criterion_id}", summary="Change a supplier criterion", dependencies=[WRITE]
)
def update_criterion(
    session: SessionDep, criterion_id: PathId, data: CriterionUpdate
) -> CriterionPublic:
    """Change the fields sent; a stale ``version`` is refused (409)."""
    changes = data.model_dump(mode="json", exclude_unset=True)
    version = changes.pop("version", None)
    record = svc.update_criterion(
        session, criterion_id=criterion_id, changes=changes, version=version
    )
    return CriterionPublic.model_validate(record)


@router.delete(
    "/supplier-criteria/{criterion_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a supplier criterion",
    dependencies=[WRITE],
)
def delete_criterion(session: SessionDep, criterion_id: PathId) -> Response:
    """Delete one criterion (404 when there is none)."""
    svc.delete_criterion(session, criterion_id=criterion_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/avatar/mutual", summary="How well we fit each buyer")
def get_mutual(
    session: SessionDep,
    account: Annotated[
        str | None, Query(max_length=255, description="Only the account with this domain.")
    ] = None,
) -> MutualDocument:
    """Per account with supplier criteria: ``we_fit_them`` (0-100; 0 when a must-have is
    unmet; null when none of their criteria is known), the criteria met, unmet and unknown,
    beside ``fit`` (how well they fit us). The same document as
    ``buyermap avatar mutual --json``."""
    return mutual(session, account=account)


@router.get(
    "/avatar/mutual.png",
    summary="The quadrant chart: they fit us against we fit them (PNG)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The chart"}},
)
def get_mutual_png(session: SessionDep) -> Response:
    """One point per account with both numbers: x = fit (they fit us), y = we_fit_them."""
    figure = quadrant(mutual(session).model_dump(mode="json"))
    return Response(
        to_png(figure),
        media_type="image/png",
        headers={"Content-Disposition": 'attachment; filename="mutual-fit.png"'},
    )
