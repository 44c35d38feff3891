# status, verify and history on a real hot standby (DESIGN section 5), with PostgreSQL's own test
# cluster (PostgreSQL::Test::Cluster): a primary migrated 8 of the 10 example migrations, a
# streaming replica made from its backup. The replica answers status, verify and history; apply
# is refused there with SQLSTATE 25006 (this session cannot migrate), saying where to run it.
use strict;
use warnings;
use File::Path qw(make_path);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = $ENV{TROVELLA_ROOT} or die "TROVELLA_ROOT is not set (run through make taptest)";

# The examples, with a journal of their first 8 entries beside the full one.
my $examples = "$root/examples/migrations";
my $full_journal = slurp_file("$examples/meta/_journal.json");
my $first8 = PostgreSQL::Test::Utils::tempdir();
make_path("$first8/meta");
for my $file (glob("$examples/*.sql")) {
	my ($name) = $file =~ m{([^/]+)$};
	open(my $out, '>', "$first8/$name") or die $!;
	print $out slurp_file($file);
	close($out);
}
my $journal = decode_json($full_journal);
$journal->{entries} = [ @{ $journal->{entries} }[ 0 .. 7 ] ];
open(my $j, '>', "$first8/meta/_journal.json") or die $!;
print $j encode_json($journal);
close($j);

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION trovella_migrate');
is($primary->safe_psql('postgres',
		"SET client_min_messages = warning; SELECT applied FROM trovella_migrate.apply_folder('$first8')"),
	'8', 'the primary applied 8 of the 10 migrations');

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the replica is a hot standby');

my $quoted = $full_journal =~ s/'/''/gr;
is($standby->safe_psql('postgres',
		"SELECT string_agg(state || ':' || n, ',' ORDER BY state) FROM (SELECT state, count(*) AS n FROM trovella_migrate.status('$quoted') GROUP BY state) s"),
	'applied:8,pending:2', 'status on the standby: 8 applied, 2 pending');
is($standby->safe_psql('postgres',
		"SELECT expected || '|' || actual || '|' || ok FROM trovella_migrate.verify('$quoted', NULL, '{\"raise\": false}')"),
	'10|8|false', 'verify on the standby returns its row');
is($standby->safe_psql('postgres', 'SELECT count(tag) FROM trovella_migrate.history'),
	'8', 'the history view reads on the standby, a tag beside every row');

my ($rc, $out, $err) = $standby->psql('postgres', "SELECT * FROM trovella_migrate.verify('$quoted')");
isnt($rc, 0, 'verify raises on the standby (psql exits non-zero)');
like($err, qr/ERROR:  Migration count mismatch: database has 8 but expected 10/, '... with the wiki\'s message');

($rc, $out, $err) = $standby->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT * FROM trovella_migrate.apply('{\"entries\":[]}', '{}')");
like($err, qr/ERROR:  25006: apply\(\) cannot run on a hot standby: it writes the tracking table/,
	'apply on the standby is refused with 25006 (this session cannot migrate), saying why');
like($err, qr/HINT:  Run it against the primary; status\(\) and verify\(\) work on a standby\./,
	'... and what works there');

$standby->stop;
$primary->stop;
done_testing();
