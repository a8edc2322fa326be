"""The workspace as a whole: opening it (migrate on start) and what is in it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from buyermap.db.engine import make_engine, migrate, session_factory
from buyermap.db.models import Account, Contact, Deal, Note, Pipeline, StageChange, SurveyAnswer
from buyermap.schemas.entities import WorkspaceStatus
from buyermap.services.pipelines import default_pipeline
from buyermap.settings import Settings


@dataclass(frozen=True)
class Workspace:
    """An opened, migrated workspace database."""

    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)


def open_workspace(settings: Settings) -> Workspace:
    """Open the workspace database and bring its schema up to date."""
    engine = make_engine(settings.database_url, echo=settings.echo_sql)
    migrate(engine)
    return Workspace(engine=engine, sessions=session_factory(engine))


def init_workspace(session: Session) -> None:
    """Seed what a new workspace needs: the default pipeline."""
    default_pipeline(session)


def workspace_status(session: Session, *, database: str) -> WorkspaceStatus:
    def count(model: type[object], *where: object) -> int:
        stmt = select(func.count()).select_from(model)
        for cond in where:
            stmt = stmt.where(cond)  # type: ignore[arg-type]
        return session.scalar(stmt) or 0

    return WorkspaceStatus(
        database=database,
        accounts=count(Account),
        contacts=count(Contact),
        deals=count(Deal),
        stage_changes=count(StageChange),
        notes=count(Note),
        open_deals=count(Deal, Deal.status == "open"),
        won_deals=count(Deal, Deal.status == "won"),
        lost_deals=count(Deal, Deal.status == "lost"),
        survey_answers=count(SurveyAnswer),
        pipelines=count(Pipeline),
    )
