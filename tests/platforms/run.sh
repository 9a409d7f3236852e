#!/usr/bin/env bash
# The platform tests (index template, ECS types, ClickHouse via chDB, OpenTelemetry output,
# Kubernetes manifests and Helm values, Prometheus rules via promtool): installs tests/platforms/requirements.txt into a
# virtualenv under the target directory (once; again only when the file changes), then runs
# pytest on tests/platforms. Needs target/release/oomlens (tests/wasm/build.sh builds it;
# OOMLENS names another). pytest's last line says how many passed and failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
venv="$target/platforms-venv"
stamp="$venv/requirements.sha256"

# Debian's python3 lacks venv (and ensurepip) until python3-venv is installed.
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
fi

# promtool (Debian's prometheus package) evaluates examples/prometheus in test_prometheus.py.
if ! command -v promtool >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus
fi

wanted=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$wanted" >"$stamp"
fi

export OOMLENS=${OOMLENS:-$target/release/oomlens}
cd "$here"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
