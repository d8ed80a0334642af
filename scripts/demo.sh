#!/usr/bin/env bash
# Set up livepost and run the demo on the bundled example event (#ccprconf26), no account needed.
# Works on a copy in .demo/ so the example in schedules/ stays clean.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -rf .demo && mkdir -p .demo && cp -r schedules/ccprconf26 .demo/
EVENT=.demo/ccprconf26
lp() { echo; echo "\$ livepost --event $EVENT $*"; .venv/bin/livepost --event "$EVENT" "$@"; }
lp schedule import
lp schedule show
lp notes check
lp doctor --offline
lp plan --day 2026-06-18
# Replay the whole demo day 300 times faster (about two minutes), sending nothing: each post is
# printed as it would go out, then a summary. No account is needed (the rehearsal never touches
# the real queue).
lp run --dry-run --speed 300
