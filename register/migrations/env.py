"""Runs the migrations on the engine the register hands over."""

from alembic import context

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection)
    context.run_migrations()
