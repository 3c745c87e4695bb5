-- The benefit register's own database and role on the PostgreSQL service
-- (run once, when the service first creates its data folder). The worker's
-- migrations create the tables.
CREATE ROLE fasttrack LOGIN PASSWORD 'change-me';
CREATE DATABASE fasttrack_register OWNER fasttrack;
