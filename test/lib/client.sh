# Sourced by the suites that run the client: CLIENT is the trovella-migrate under test,
# $TROVELLA_MIGRATE if set, else the one built from this checkout (make builds it in build/client).
CLIENT=${TROVELLA_MIGRATE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/client/trovella-migrate}
