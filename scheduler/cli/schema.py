"""``atbt schema``: the JSON Schema of the instance format."""

from __future__ import annotations

import json

import typer

from scheduler.domain import Instance


def register(app: typer.Typer) -> None:
    app.command()(schema)


def schema() -> None:
    """Print the JSON Schema of the instance format."""
    typer.echo(json.dumps(Instance.model_json_schema(), indent=2, ensure_ascii=False))

