"""What every command shares: the workspace from ``--db``, output helpers, error translation."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from buyermap.errors import BuyermapError, ConflictError, InvalidValueError, NotFoundError
from buyermap.services.workspace import Workspace, open_workspace
from buyermap.settings import Settings

MAX_SEED = 2**32 - 1


@contextmanager
def user_errors() -> Iterator[None]:
    """A bad value, an unknown record or a clash the user caused: exit code 2."""
    try:
        yield
    except (InvalidValueError, NotFoundError, ConflictError) as exc:
        exc.exit_code = 2
        raise


def verified_option(text: str | None, *, option: str) -> datetime | None:
    """A "when it was last verified" option (``YYYY-MM-DD`` or an ISO time), or None."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValueError(
            f"{option} {text!r} is not a date; give it as YYYY-MM-DD, e.g. 2026-11-30",
            details={"field": "verified_at"},
        ) from None


def out_path(value: Path | None) -> Path | None:
    """A file to write: its folder must exist (a usage error, not a traceback, when not)."""
    if value is not None and not value.parent.is_dir():
        raise typer.BadParameter(f"folder {str(value.parent)!r} does not exist; create it first")
    return value


# Options every file import of the journeys commands takes (journeys, content, answers).
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
EncodingOpt = Annotated[str | None, typer.Option(help="CSV encoding (default: detected).")]
PartialOpt = Annotated[
    bool, typer.Option("--partial", help="Write the good rows when some are rejected.")
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Check and report; write nothing.")]
QuarantineOpt = Annotated[
    Path | None,
    typer.Option(callback=out_path, help="Where rejected rows go (default FILE.quarantine.csv)."),
]


console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    settings: Settings
    _workspace: Workspace | None = field(default=None, repr=False)

    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = open_workspace(self.settings)
        return self._workspace


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, CliState):  # pragma: no cover - the callback always sets it
        raise RuntimeError("the buyermap callback did not run")
    return obj


@contextmanager
def unit_of_work(ctx: typer.Context) -> Iterator[Session]:
    """One transaction for one command: committed when the command succeeds."""
    ws = state(ctx).workspace()
    with ws.sessions() as session, session.begin():
        yield session


def _default(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    """One JSON document on stdout, nothing else (so it can be piped to jq)."""
    sys.stdout.write(json.dumps(data, default=_default, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def fail(message: str, *, code: int = 1) -> typer.Exit:
    # The message may quote a file's content: escaped, so "[...]" in it is shown, not markup.
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def error_document(exc: BuyermapError) -> dict[str, Any]:
    """The one JSON object a command run with ``--json`` prints when it fails."""
    return {
        "ok": False,
        "error": {"code": exc.code, "message": exc.message, "details": exc.details},
    }


# Parameters that errors below the CLI name (``details["parameter"]``) and the option that
# sets each one here: the CLI adds the hint, the REST API and the pages never show a flag.
OPTION_OF_PARAMETER = {"won_stages": "--won-stage", "lost_stages": "--lost-stage"}


def cli_message(exc: BuyermapError) -> str:
    """The error's message, with the CLI option that sets the parameter it names."""
    option = OPTION_OF_PARAMETER.get(str(exc.details.get("parameter", "")))
    return f"{exc.message} (option {option})" if option else exc.message


class BuyermapGroup(TyperGroup):
    """Translates buyermap's errors into one line on stderr and a non-zero exit code; a
    command run with ``--json`` prints the error as one JSON object on stdout as well."""

    def invoke(self, ctx: Any) -> Any:
        wants_json = "--json" in [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except BuyermapError as exc:
            if wants_json:
                print_json(error_document(exc))
            raise fail(cli_message(exc), code=exc.exit_code) from None


StepProgress = Callable[[str, int, int], None]


@contextmanager
def step_progress(enabled: bool, name: str) -> Iterator[StepProgress | None]:
    """A Rich progress bar on stderr for work that reports ``(label, done, total)`` steps
    (persona discovery, avatar learning); None when ``enabled`` is off (``--json``)."""
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(name, total=1)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=max(total, 1))

        yield update
