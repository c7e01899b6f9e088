#!/usr/bin/env bash
# Builds kubectl (the version of the local control plane) from the Go module proxy into the kopf-ts cache, for
# the tests that run the real kubectl (the admission webhook tests and example) on machines without one.
# Called by test/helpers/kubectl.ts when no kubectl is on PATH, and by .ci/run. Prints the directory holding
# kubectl as its last line. The module here (go.mod, go.sum) pins what tools/control-plane pins.
set -euo pipefail
cd "$(dirname "$0")"
export GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
K8S_VERSION=${K8S_VERSION:-v1.36.3}
K8S_MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
command -v go >/dev/null 2>&1 || { echo "kubectl build: the Go toolchain is needed (or put a kubectl on PATH)" >&2; exit 3; }
CACHE_ROOT=${KOPF_TS_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kopf-ts/control-plane}
OUT="$CACHE_ROOT/kubectl_${K8S_VERSION#v}_$(go env GOVERSION)"
if [ -x "$OUT/kubectl" ]; then echo "$OUT"; exit 0; fi
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.kubectl.lock"
flock 9
if [ -x "$OUT/kubectl" ]; then echo "$OUT"; exit 0; fi
echo "[kubectl build] compiling kubectl ${K8S_VERSION} (about a minute after the control plane's build)" >&2
TMP="$OUT.tmp.$$"; rm -rf "$TMP"; mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
LD="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LD="$LD -X $p.gitVersion=${K8S_VERSION} -X $p.gitMajor=1 -X $p.gitMinor=${K8S_MINOR}"
done
go build -trimpath -ldflags "$LD" -o "$TMP/kubectl" k8s.io/kubernetes/cmd/kubectl
"$TMP/kubectl" version --client >&2
rm -rf "$OUT"; mv "$TMP" "$OUT"; trap - EXIT
echo "$OUT"
