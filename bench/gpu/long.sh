#!/usr/bin/env bash
# Second GPU call (about 9 minutes): emoji CycleGAN (full data, paper widths) and NetGAN on Cora-ML trained side by
# side on one GPU. A few NetGAN iterations run first as a check; NetGAN's long run starts only if they pass.
# --max-minutes stops either run early, keeping the model trained so far, so both always report.
# Usage (repository root, GPU machine): MINUTES=6.5 EPOCHS=6 bash bench/gpu/long.sh
source bench/gpu/common.sh
MINUTES=${MINUTES:-6.5}
EPOCHS=${EPOCHS:-6}
limit=$(python3 -c "print(int(float('$MINUTES') * 60 + 100))")
timeout "$limit" $BENCH emoji --gpu true --data .gpu/emoji --epochs "$EPOCHS" --blocks 6 --ngf 64 --ndf 64 \
  --report-seconds 30 --max-minutes "$MINUTES" --out /tmp/emoji > "$OUT/emoji.log" 2>&1 &
start=$(date +%s)
if timeout 90 $BENCH netgan --gpu true --iterations 4 --eval-every 2 --eval-walks 2000 --scoring-walks 2000 \
     --out /tmp/netgan-check > "$OUT/netgan-check.log" 2>&1; then
  left=$(python3 -c "print(round(float('$MINUTES') - ($(date +%s) - $start) / 60, 2))")
  timeout "$limit" $BENCH netgan --gpu true --iterations 200000 --eval-every 500 --eval-walks 1000000 \
    --scoring-walks 500000 --eo 0.5 --max-minutes "$left" --out /tmp/netgan > "$OUT/netgan.log" 2>&1 &
else
  echo "NetGAN check failed (rc $?):"; tail -n 30 "$OUT/netgan-check.log"
fi
wait
cp /tmp/emoji/result.json "$OUT/emoji-result.json"; cp /tmp/emoji/grid.png "$OUT/emoji-grid.png"
cp /tmp/netgan/result.md "$OUT/netgan-result.md" 2>/dev/null
tail -n 12 "$OUT/emoji.log"
tail -n 45 "$OUT/netgan.log" 2>/dev/null
pack long
echo LONG-DONE
