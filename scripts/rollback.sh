#!/bin/sh
# Example rollback used by the web-service model's on_failure steps in config.toml.
set -eu
component=${FERRY_COMPONENT:-web-frontend}
env=${FERRY_ENVIRONMENT:-dev}

echo "rollback: restoring the previous release of $component in $env"
sleep 0.4
echo "rollback: traffic switched back to the previous release"
sleep 0.2
echo "rollback: done"
