"""Runs the migrations on the engine the register hands over, one process at a
time: replicas starting together on an empty database wait for each other
(PostgreSQL: an advisory lock; SQLite: the transaction takes the write lock)."""

from alembic import context

MIGRATION_LOCK = 2026_11_27  # any number the register's database uses for nothing else

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    context.configure(connection=connection, transactional_ddl=True)
    context.run_migrations()
