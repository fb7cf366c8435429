#!/bin/sh
# Example health check used by the web-service model in config.toml: asks the
# (simulated) service which version answers in the environment, as a load balancer's
# health check would ask a real one, and fails unless it is the one just rolled out.
set -eu
component=${FERRY_COMPONENT:-web-frontend}
version=${FERRY_VERSION:-0.0.0}
env=${FERRY_ENVIRONMENT:-staging}
state="run/$component-$env.version"

if [ ! -f "$state" ]; then
	echo "health: $component does not answer in $env" >&2
	exit 1
fi
running=$(cat "$state")
echo "health: $component in $env answers, version $running"
if [ "$running" != "$version" ]; then
	echo "health: expected $version" >&2
	exit 1
fi
echo "health: ok"
