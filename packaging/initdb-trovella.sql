-- Run by the postgres image's entrypoint (/docker-entrypoint-initdb.d) in POSTGRES_DB when the
-- container starts on an empty data directory: the CI database has the extension from the start.
CREATE EXTENSION IF NOT EXISTS trovella_migrate;
