"""``fields``: the workspace's typed custom fields."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import console, print_json, unit_of_work
from buyermap.domain.enums import CustomFieldType, DataClass
from buyermap.services.custom_fields import ENTITIES, define_field, field_schema

fields_app = typer.Typer(
    help="Typed custom fields of accounts, contacts and deals.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(fields_app, name="fields")


@fields_app.command("add")
def add(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="account, contact or deal")],
    key: Annotated[str, typer.Argument(help="Field key: lowercase letters, digits, _")],
    type_: Annotated[CustomFieldType, typer.Argument(metavar="TYPE", help="Value type")],
    label: Annotated[str | None, typer.Option(help="Label shown in the workbench")] = None,
    choices: Annotated[
        str | None, typer.Option(help="Comma-separated choices (choice, multi_choice)")
    ] = None,
    data_class: Annotated[
        DataClass, typer.Option(help="Data class of the value for privacy rules")
    ] = DataClass.NONE,
    required: Annotated[bool, typer.Option(help="Every record must have a value")] = False,
) -> None:
    """Declare a custom field; its values are checked on every write and import.

    Example: [bold]buyermap fields add account tier choice --choices A,B,C[/]
    """
    with unit_of_work(ctx) as session:
        field = define_field(
            session,
            entity=entity,
            key=key,
            type=type_,
            label=label,
            choices=[c.strip() for c in choices.split(",") if c.strip()] if choices else None,
            data_class=data_class,
            required=required,
        )
        console.print(f"{field.entity} field {field.key!r} ({field.type}) defined")


@fields_app.command("list")
def list_fields(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the custom fields of every entity.

    Example: [bold]buyermap fields list --json[/]
    """
    with unit_of_work(ctx) as session:
        defs = [f for e in ENTITIES for f in field_schema(session, entity=e).values()]
    if as_json:
        print_json(
            {
                "fields": [
                    {
                        "entity": f.entity,
                        "key": f.key,
                        "label": f.label,
                        "type": f.type,
                        "choices": f.choices,
                        "data_class": f.data_class,
                        "required": f.required,
                    }
                    for f in defs
                ]
            }
        )
        return
    table = Table(title="custom fields")
    for col in ("entity", "key", "type", "choices", "data class", "required"):
        table.add_column(col)
    for f in defs:
        table.add_row(
            f.entity, f.key, f.type, ", ".join(f.choices), f.data_class, "yes" if f.required else ""
        )
    console.print(table)
