"""The register's schema history (Alembic). Each revision is written by hand and
never edited once released: a database anywhere may be at any of them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent


def config(engine: Engine) -> Config:
    alembic = Config()
    alembic.set_main_option("script_location", str(HERE))
    alembic.attributes["engine"] = engine
    return alembic


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(config(engine), revision)
