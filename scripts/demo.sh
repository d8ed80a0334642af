#!/usr/bin/env bash
# Set up livepost and run the demo on the bundled example event (#ccprconf26), no account needed.
# Works on a copy in .demo/ so the example in schedules/ stays clean; the copy is dated today
# (tomorrow once today's programme would have begun), so the demo plays as the day will look.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p .demo
DAY=$(.venv/bin/python -m livepost.devtools.demo schedules/ccprconf26 .demo)
EVENT=.demo/ccprconf26
lp() { echo; echo "\$ livepost --event $EVENT $*"; .venv/bin/livepost --event "$EVENT" "$@"; }
lp schedule import
lp schedule show
lp notes check
lp doctor --offline
lp plan --day "$DAY"
# Replay the whole demo day 300 times faster (about two minutes), sending nothing: each post is
# printed as it would go out, then a summary. No account is needed (the rehearsal never touches
# the real queue).
lp run --dry-run --speed 300
cat <<NEXT

What to try next:
  .venv/bin/livepost --event $EVENT serve
      the console in a browser: today's timeline, compose, queue, engagement, checks
  .venv/bin/livepost --event $EVENT preview --out $EVENT/cards
      every planned post as it will look, and its card as an image
  .venv/bin/livepost devnet
      a local Bluesky network with test accounts, to post for real without a Bluesky account
      (needs Node 20: run bash scripts/setup.sh --for-tests once)
  .venv/bin/livepost init myevent --name "My Conference" --hashtag myconf --timezone Europe/London
      your own event (see the walk-through in README.md)
NEXT
