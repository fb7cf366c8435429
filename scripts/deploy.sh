#!/bin/sh
# Example roll-out used by the web-service model in config.toml.
# Ferry runs it with /bin/sh -c and sets FERRY_* variables.
set -eu
component=${FERRY_COMPONENT:-web-frontend}
version=${FERRY_VERSION:-0.0.0}
env=${FERRY_ENVIRONMENT:-dev}

echo "deploy: rolling out $component $version to $env (region ${REGION:-unknown})"
echo "deploy: pulling image registry.example.internal/$component:$version"
sleep 0.3
for replica in 1 2 3; do
	echo "deploy: replica $replica/3 updated, waiting for readiness"
	sleep 0.3
done
echo "deploy: traffic switched to $version"
echo "deploy: done"
