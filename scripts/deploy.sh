#!/bin/sh
# Example roll-out used by the web-service model in config.toml.
# Ferry runs it with /bin/sh -c in the config file's directory and sets FERRY_*
# variables. In dev and test it builds the release artifact and writes its checksum
# (artifacts/COMPONENT-VERSION.tar.gz and .sha256), which staging and production
# verify before they roll it out; then it records the running version for
# scripts/health.sh, as a real service would answer it.
set -eu
component=${FERRY_COMPONENT:-web-frontend}
version=${FERRY_VERSION:-0.0.0}
env=${FERRY_ENVIRONMENT:-dev}
artifact="artifacts/$component-$version.tar.gz"

echo "deploy: rolling out $component $version to $env (region ${REGION:-unknown})"
case "$env" in
dev | test)
	mkdir -p artifacts build
	printf 'component=%s\nversion=%s\n' "$component" "$version" >"build/$component.manifest"
	tar -czf "$artifact" -C build "$component.manifest"
	(cd artifacts && sha256sum "$component-$version.tar.gz" >"$component-$version.tar.gz.sha256")
	echo "deploy: built $artifact ($(cut -c1-12 "$artifact.sha256")…)"
	;;
*)
	echo "deploy: pulling $artifact, verified by its checksum"
	;;
esac
sleep 0.3
for replica in 1 2 3; do
	echo "deploy: replica $replica/3 updated, waiting for readiness"
	sleep 0.2
done
mkdir -p run
echo "$version" >"run/$component-$env.version"
echo "deploy: traffic switched to $version"
echo "deploy: done"
