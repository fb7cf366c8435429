#!/bin/sh
# Example data migration used by the data-migration model in config.toml:
#   data.sh backup | migrate | verify | restore
set -eu
component=${FERRY_COMPONENT:-customer-data}
version=${FERRY_VERSION:-0.0.0}
env=${FERRY_ENVIRONMENT:-test}

case "${1:-}" in
backup)
	echo "backup: dumping $component in $env"
	sleep 0.4
	echo "backup: wrote backups/$component-$env-before-$version.dump (1.2 GB)"
	;;
migrate)
	echo "migrate: applying $component $version in $env"
	for step in "add column customers.consent_at" "backfill consent_at" "create index"; do
		sleep 0.3
		echo "migrate: ok  $step"
	done
	;;
verify)
	echo "verify: comparing row counts with the backup"
	sleep 0.3
	echo "verify: customers 48213 = 48213, orders 912774 = 912774"
	;;
restore)
	echo "restore: restoring $component in $env from backups/$component-$env-before-$version.dump"
	sleep 0.5
	echo "restore: done"
	;;
*)
	echo "usage: data.sh backup|migrate|verify|restore" >&2
	exit 2
	;;
esac
