#!/usr/bin/env bash
# `npm run test:soak`: runs the whole test suite (`bash .ci/run`: npm ci, browser check, the README's `npm test`)
# several times in a row, each time on a fresh clone of the current commit, and prints "N passed, M failed".
# A suite that passes once may still fail one run in five: this is how we know it does not.
#
# Usage: bash scripts/soak.sh [--runs N] [--load-runs K] [--ref REF]
#   --runs N       runs in all (default 5)
#   --load-runs K  the last K runs happen with both cores kept busy by two busy loops that this script starts
#                  and stops itself (default 1)
#   --ref REF      commit to test (default HEAD); uncommitted changes are not part of a clone, so commit first
# Logs: one file per run under the printed folder; the tail of a failed run's log is printed.
set -uo pipefail

runs=5
load_runs=1
ref=HEAD
while (($#)); do
  case "$1" in
    --runs) runs=${2:?}; shift 2 ;;
    --load-runs) load_runs=${2:?}; shift 2 ;;
    --ref) ref=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "soak: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]*$ && "$load_runs" =~ ^[0-9]+$ ]] || ((load_runs > runs)); then
  echo "soak: need --runs >= 1 and 0 <= --load-runs <= --runs" >&2
  exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
commit=$(git -C "$repo" rev-parse --verify "$ref^{commit}") || exit 2
if [[ -n "$(git -C "$repo" status --porcelain)" ]]; then
  echo "soak: note: the working tree has uncommitted changes; they are not tested (clones hold $commit only)" >&2
fi
work=$(mktemp -d /tmp/starmesh-soak.XXXXXX)
echo "soak: $runs runs of commit ${commit:0:12} (the last $load_runs with both cores busy); logs in $work"

loaders=()
stop_load() {
  if ((${#loaders[@]})); then kill "${loaders[@]}" 2>/dev/null; wait "${loaders[@]}" 2>/dev/null; fi
  loaders=()
}
# The run in progress: its own process group (setsid), so that stopping the soak stops the run's whole tree
# (servers, browsers) too, not only this script.
current=""
stop_run() {
  if [[ -n "$current" ]]; then kill -TERM -- "-$current" 2>/dev/null; wait "$current" 2>/dev/null; fi
  current=""
}
trap 'stop_load' EXIT
trap 'stop_run; stop_load; exit 130' INT TERM

passed=0
failed=0
for ((i = 1; i <= runs; i++)); do
  loaded=no
  if ((i > runs - load_runs)); then
    loaded=yes
    for _ in 1 2; do
      sh -c 'while :; do :; done' &
      loaders+=($!)
    done
  fi
  clone="$work/run-$i"
  log="$work/run-$i.log"
  start=$(date +%s)
  rc=1
  if git clone -q --no-hardlinks "$repo" "$clone" >"$log" 2>&1 && git -C "$clone" checkout -q "$commit" >>"$log" 2>&1; then
    (cd "$clone" && exec setsid bash .ci/run) >>"$log" 2>&1 &
    current=$!
    wait "$current"
    rc=$?
    current=""
  fi
  if ((rc == 0)); then
    status=passed
    passed=$((passed + 1))
  else
    status=FAILED
    failed=$((failed + 1))
  fi
  stop_load
  echo "soak: run $i/$runs $status in $(($(date +%s) - start)) s (background load: $loaded) — $log"
  if [[ $status == FAILED ]]; then
    grep -E '✘|×|FAIL|Error:' "$log" | head -n 20 | sed 's/^/soak:   /'
  else
    rm -rf "$clone" # keep failed clones (test-results, traces) for inspection
  fi
done
echo "soak: $passed passed, $failed failed"
((failed == 0))
