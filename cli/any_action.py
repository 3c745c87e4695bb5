"""`fasttrack action NAME ENGAGEMENT`: any action of the catalogue by its update's
name, its fields from a JSON or YAML file, as the HTTP intake takes it. The
commands of action_commands.py have flags of their own; this one covers every
action, one added later included, with the list in its help."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.app import ByOption, EngagementArgument, RequestIdOption, act, actor, app, build, load_object, raise_bad
from fasttrack.engagement.catalogue import CATALOGUE, NAMED

LISTED = "\n\n".join(f"[bold]{rule.name}[/bold]: {rule.description}" for rule in CATALOGUE)


@app.command("action", help=f"Send any action by its update's name; its fields from FILE (JSON or YAML, without "
                            f"'by').\n\n{LISTED}")
def any_action(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The action, as listed above.")],
    engagement: EngagementArgument,
    source: Annotated[str | None, typer.Option("--file", metavar="FILE",
                                               help="The action's fields as JSON or YAML; '-' reads stdin.")] = None,
    by: ByOption = None,
    request_id: RequestIdOption = None,
) -> None:
    rule = NAMED.get(name.strip().lower())
    if rule is None:
        raise_bad("NAME", f"'{name}' is not an action; the actions are {', '.join(NAMED)}")
    fields = load_object(source) if source is not None else {}
    if "by" in fields:
        raise_bad("--file", "'by' comes from --by (or FASTTRACK_ACTOR, or your login name), not from the file")
    act(engagement, build(rule.action, source, **fields, by=actor(by)), request_id=request_id)
