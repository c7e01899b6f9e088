#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go module proxy into the kopf-ts control-plane cache.
# Called by src/cluster/binaries.ts (when no binaries are found) and by .ci/run; `regen` is run by a
# developer when bumping versions, and the regenerated go.mod/go.sum are committed.
# Usage: build.sh [regen]      Prints the output directory as its last line.
set -euo pipefail
cd "$(dirname "$0")"
export GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
K8S_VERSION=${K8S_VERSION:-v1.36.3}
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
K8S_MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
START=$(date +%s)
step() { echo "[control-plane build +$(( $(date +%s) - START ))s] $*" >&2; }

command -v go >/dev/null 2>&1 || {
  echo "control-plane build: the Go toolchain (go >= 1.26) is needed to build kube-apiserver and etcd; install Go, or set KUBEBUILDER_ASSETS (or TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD) to existing binaries, or USE_EXISTING_CLUSTER=true" >&2
  exit 3
}

if [ "${1:-}" = regen ]; then
  step "regenerating the builder module for Kubernetes ${K8S_VERSION}"
  rm -f go.mod go.sum
  go mod init kopf-ts.invalid/control-plane
  go mod download "k8s.io/kubernetes@${K8S_VERSION}"
  KMOD="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/${K8S_VERSION}.mod"
  for m in $(awk '$2=="v0.0.0" && $1 ~ /^k8s\.io\// {print $1}' "$KMOD"); do
    go mod edit -replace="${m}=${m}@${STAGING_VERSION}"
  done
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}"
  ETCD_VERSION=${ETCD_VERSION:-$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)}
  go get -tool "go.etcd.io/etcd/server/v3@${ETCD_VERSION}"
  go mod tidy
fi

ETCD_VERSION=$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
GOV=$(go env GOVERSION)
CACHE_ROOT=${KOPF_TS_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kopf-ts/control-plane}
OUT="$CACHE_ROOT/${K8S_VERSION#v}_${ETCD_VERSION#v}_${GOV}"
if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/etcd" ] && [ -f "$OUT/BUILDINFO" ]; then
  step "already built: $OUT"; echo "$OUT"; exit 0
fi
mkdir -p "$CACHE_ROOT"
FREE_KB=$(df -Pk "$CACHE_ROOT" | awk 'NR==2 {print $4}')
if [ "${FREE_KB:-0}" -lt 5000000 ]; then
  echo "control-plane build: at least 5 GB of free disk is needed under $CACHE_ROOT (and the Go caches); only $((FREE_KB / 1024)) MB free. Free some space, or point KOPF_TS_CONTROL_PLANE_CACHE / GOCACHE / GOMODCACHE elsewhere." >&2
  exit 4
fi

# One build at a time: a second caller waits here, then finds the published binaries.
exec 9>"$CACHE_ROOT/.build.lock"
step "waiting for the build lock $CACHE_ROOT/.build.lock"
flock 9
if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/etcd" ] && [ -f "$OUT/BUILDINFO" ]; then
  step "built meanwhile by another process: $OUT"; echo "$OUT"; exit 0
fi

TMP="$OUT.tmp.$$"; rm -rf "$TMP"; mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
step "downloading modules (k8s ${K8S_VERSION}, etcd ${ETCD_VERSION})"
go mod download -x 2>&1 | awk '/^# get .*200 OK/ {n++; if (n % 50 == 0) printf "[control-plane build] %d module files fetched\n", n > "/dev/stderr"}' || true
go mod download
LD="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LD="$LD -X $p.gitVersion=${K8S_VERSION} -X $p.gitMajor=1 -X $p.gitMinor=${K8S_MINOR}"
  LD="$LD -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
step "compiling etcd ${ETCD_VERSION}"
go build -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-${ETCD_VERSION}" \
  -o "$TMP/etcd" go.etcd.io/etcd/server/v3
step "compiling kube-apiserver ${K8S_VERSION} (the long step: about 10-20 minutes cold on 2 cores)"
go build -trimpath -ldflags "$LD" -o "$TMP/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
step "checking versions"
"$TMP/kube-apiserver" --version >&2
"$TMP/etcd" --version >&2
printf 'k8s=%s\netcd=%s\ngo=%s\n' "$K8S_VERSION" "$ETCD_VERSION" "$GOV" > "$TMP/BUILDINFO"
rm -rf "$OUT"; mv "$TMP" "$OUT"; trap - EXIT
step "done: $OUT"
echo "$OUT"
