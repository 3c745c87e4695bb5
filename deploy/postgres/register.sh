#!/bin/sh
# The benefit register's own database and role on the PostgreSQL service (run
# once, when the service first creates its data folder), with the password from
# FASTTRACK_DB_PASSWORD (read by psql itself, never on a command line). The
# worker's migrations create the tables.
set -eu
: "${FASTTRACK_DB_PASSWORD:?set the password of the benefit register's database role}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<'SQL'
\getenv password FASTTRACK_DB_PASSWORD
CREATE ROLE fasttrack LOGIN PASSWORD :'password';
CREATE DATABASE fasttrack_register OWNER fasttrack;
SQL
