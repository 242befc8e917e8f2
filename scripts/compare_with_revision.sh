#!/usr/bin/env bash
# Builds the Synthea lakehouse with an earlier revision and with the working tree, on the
# real sample exports and on generated patients, and compares every gold (and silver)
# table row for row with the `lakehouse_diff` example. Use it to show that a refactor
# leaves the outputs unchanged.
#
#   scripts/compare_with_revision.sh REV [PATIENTS] [OUT_DIR]
#
# REV: the revision to compare with (e.g. a tag or `main~3`). PATIENTS (default 1000):
# generated patients. Real exports are taken from $SYNTHEA_SAMPLES_DIR when it is set.
# Hash keys (`*_key`, `row_hash`, `surrogate_key`) are left out with
# --ignore-hash-keys when LAKEHOUSE_DIFF_FLAGS says so (e.g. across the xxh3 change).
set -euo pipefail

rev="${1:?usage: compare_with_revision.sh REV [PATIENTS] [OUT_DIR]}"
patients="${2:-1000}"
out="${3:-$(mktemp -d)}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
flags="${LAKEHOUSE_DIFF_FLAGS:---layer gold --ignore-hash-keys --float-decimals 9}"

old_tree="$out/old-tree"
git -C "$repo" worktree add --detach "$old_tree" "$rev" >/dev/null
trap 'git -C "$repo" worktree remove --force "$old_tree"' EXIT

build() { # tree name args...
    local tree="$1" name="$2"; shift 2
    (cd "$tree" && cargo run --quiet --example synthea_lakehouse -- --out "$out/$name" "$@" >"$out/$name.log" 2>&1)
}

inputs=("gen:--patients $patients --seed 42")
if [ -n "${SYNTHEA_SAMPLES_DIR:-}" ]; then
    for d in "$SYNTHEA_SAMPLES_DIR"/*/; do
        inputs+=("$(basename "$d"):--input $d")
    done
fi

status=0
for entry in "${inputs[@]}"; do
    name="${entry%%:*}"; args="${entry#*:}"
    # shellcheck disable=SC2086
    build "$old_tree" "old-$name" $args
    # shellcheck disable=SC2086
    build "$repo" "new-$name" $args
    echo "== $name"
    # shellcheck disable=SC2086
    (cd "$repo" && cargo run --quiet --example lakehouse_diff -- "$out/old-$name" "$out/new-$name" $flags) || status=1
done
exit $status
