#!/usr/bin/env bash
# Second GPU call (about 9 minutes), right after smoke.sh on the same machine: emoji CycleGAN and NetGAN on
# Cora-ML trained side by side. The emoji run's epochs are sized from smoke.sh's measured speed so that its
# learning-rate decay ends inside the budget; --max-minutes stops either run early (with its model kept) if not.
source bench/gpu/common.sh
MINUTES=${MINUTES:-6}
epochs=$(python3 - "$MINUTES" <<'PY'
import json, sys
minutes = float(sys.argv[1])
try:
    r = json.load(open("/tmp/smoke-emoji/result.json"))
    seconds_per_step = r["trainMinutes"] * 60 / r["trainedSteps"]
except Exception:
    seconds_per_step = 0.05
steps_per_epoch = 866  # the larger domain of the 1,731 training names
print(max(2, int(minutes * 60 * 0.85 / (seconds_per_step * steps_per_epoch)) // 2 * 2))
PY
)
echo "emoji epochs: $epochs"
timeout $(( ${MINUTES%.*} * 60 + 100 )) $BENCH emoji --gpu true --data .gpu/emoji --epochs "$epochs" --blocks 6 --ngf 64 --ndf 64 \
  --report-seconds 30 --max-minutes "$MINUTES" --out /tmp/emoji > "$OUT/emoji.log" 2>&1 &
timeout $(( ${MINUTES%.*} * 60 + 100 )) $BENCH netgan --gpu true --iterations 200000 --eval-every 500 --eval-walks 1000000 \
  --scoring-walks 500000 --eo 0.5 --max-minutes "$MINUTES" --out /tmp/netgan > "$OUT/netgan.log" 2>&1 &
wait
cp /tmp/emoji/result.json "$OUT/emoji-result.json"; cp /tmp/emoji/grid.png "$OUT/emoji-grid.png"; cp /tmp/netgan/result.md "$OUT/netgan-result.md"
tail -n 12 "$OUT/emoji.log"
tail -n 45 "$OUT/netgan.log"
echo LONG-DONE
