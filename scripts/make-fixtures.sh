#!/usr/bin/env bash
# Regenerates the bundled fixtures from `pilot-eval simulate` with fixed seeds.
# test/fixtures.test.ts checks that the committed files equal what this script produces.
set -euo pipefail
cd "$(dirname "$0")/.."
i=0
for slug in pcp pcp-fund women-pcp-fund user-grants community-navigation; do
  i=$((i + 1))
  ./bin/pilot-eval simulate --concept "$slug" --stage efficacy --seed $((100 + i)) --out-dir "fixtures/$slug" >/dev/null
  echo "fixtures/$slug (seed $((100 + i)))"
done
