"""``aidledger schemas export DIR``: JSON Schema of every event, for other producers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from connectors.cli.app import app, console
from schemas.registry import EVENT_TYPES, FAMILY_TOPICS, json_schema

schemas_app = typer.Typer(help="The event contract.", no_args_is_help=True)
app.add_typer(schemas_app, name="schemas")


@schemas_app.command("export")
def export(directory: Annotated[Path, typer.Argument(help="Folder to write into.")]) -> None:
    """Write one JSON Schema file per event type, plus the whole union and a topic index."""
    directory.mkdir(parents=True, exist_ok=True)
    index = {}
    for name, cls in sorted(EVENT_TYPES.items()):
        schema = cls.model_json_schema(mode="validation")
        schema["$id"] = f"aidledger/{name}.schema.json"
        (directory / f"{name}.schema.json").write_text(json.dumps(schema, indent=2) + "\n")
        index[name] = {
            "topic": FAMILY_TOPICS[cls.family],
            "schema_version": cls.model_fields["schema_version"].default,
            "key": cls.subject_field,
        }
    (directory / "events.schema.json").write_text(json.dumps(json_schema(), indent=2) + "\n")
    (directory / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n")
    console.print(f"wrote {len(EVENT_TYPES)} event schemas to {directory}")
