#!/usr/bin/env bash
# Run a command inside a private network namespace with loopback plus one veth
# address (10.77.0.1/24). Headless Chromium gathers no ICE candidate on loopback
# alone, so WebRTC tests need a non-loopback interface; this one leads nowhere
# (its peer end sits in the same namespace and the default route points at an
# address nobody owns), so traffic never leaves the namespace.
#
# Usage: bash scripts/netns-run.sh CMD [ARGS...]
# Env:   STARMESH_NO_NETNS=1  run CMD directly (no namespace)
#
# If `unshare -n` is not permitted (non-root machine without user namespaces),
# prints a warning and runs CMD directly: WebRTC tests may then fail to connect.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

warn() { echo "netns-run: WARNING: $*" >&2; }

if [[ -n "${STARMESH_IN_NETNS:-}" ]]; then
  exec "$@" # already inside (nested call)
fi
if [[ -n "${STARMESH_NO_NETNS:-}" ]]; then
  warn "STARMESH_NO_NETNS is set: running without a private network namespace."
  exec "$@"
fi

# The setup inside the namespace; "$@" is the command.
# shellcheck disable=SC2016
setup='set -e
ip link set lo up
ip link add veth0 type veth peer name veth1
ip addr add 10.77.0.1/24 dev veth0
ip link set veth0 up
ip link set veth1 up
ip route add default via 10.77.0.2 dev veth0
export STARMESH_IN_NETNS=1
exec "$@"'

# Probe first so that a failure of CMD itself is never mistaken for "no netns".
probe() { "$@" sh -c 'ip link set lo up && ip link add veth0 type veth peer name veth1' >/dev/null 2>&1; }

if ! command -v ip >/dev/null 2>&1; then
  warn "'ip' (iproute2) not found: running without a private network namespace; WebRTC tests may fail."
  exec "$@"
elif probe unshare -n; then
  exec unshare -n sh -c "$setup" sh "$@"
elif probe unshare -r -n; then
  # Rootless: a user namespace maps us to root, which may create the veth pair.
  exec unshare -r -n sh -c "$setup" sh "$@"
else
  warn "'unshare -n' is not permitted here: running without a private network namespace;"
  warn "WebRTC tests may fail to gather ICE candidates (run as root, or enable user namespaces)."
  exec "$@"
fi
