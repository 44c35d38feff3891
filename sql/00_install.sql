-- The extension installs into its own schema, with nothing callable by PUBLIC.
DROP EXTENSION IF EXISTS trovella_migrate CASCADE;
CREATE EXTENSION trovella_migrate;
-- The version installed is the control file's default_version (its one place).
SELECT extname, extversion = (SELECT default_version FROM pg_available_extensions WHERE name = extname) AS is_default_version,
       extrelocatable, n.nspname
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'trovella_migrate';
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.prosecdef AS security_definer,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
FROM pg_proc p WHERE p.pronamespace = 'trovella_migrate'::regnamespace ORDER BY 1;
SELECT c.relname, c.relkind, has_table_privilege('public', c.oid, 'SELECT') AS public_select,
       has_table_privilege('public', c.oid, 'INSERT') AS public_insert
FROM pg_class c WHERE c.relnamespace = 'trovella_migrate'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 1;
-- Installing creates no tracking table: that happens on the first apply, as with Drizzle.
SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL AS no_tracking_table_yet;
