#!/usr/bin/env bash
# One GPU call (about 9.5 minutes; timeout_s 600): issue 5's Inception-score protocol and issue 6's loss-read lever.
# Here first: bash bench/gpu/publish.sh (no emoji folder needed) and bash bench/gpu/pack-digits.sh DIGITS TUXPAINT;
# carry [".gpu"]. Then on the GPU machine, from the repository root: BUDGET=570 bash bench/gpu/inception.sh
#  1. The training step with losses read every step and every 10 steps (GanTrainerOptions.LossReadInterval).
#  2. The digit classifier (Adam, a fixed time) and, in the same process, WaveGAN trained for a fixed time and scored.
#  3. As soon as the classifier's weights are written, SpecGAN trained beside it for the same time and scored with them.
# Results: $OUT/*.log and $OUT/wis.tar.gz (results.md, generated WAVs and the classifier's weights of both runs).
source bench/gpu/common.sh
CLASSIFIER_MINUTES=${CLASSIFIER_MINUTES:-2}
GAN_MINUTES=${GAN_MINUTES:-3.5}
STEPS=${STEPS:---config paper --gans cyclegan,netgan}
DATA=${DATA:-/tmp/wis-data}
WIS=/tmp/wis
mkdir -p "$WIS" "$DATA"
[ -d "$DATA/digits" ] || tar -xJf .gpu/digits.tar.xz -C "$DATA"

# STEPS=none skips the step timing (a second call that only trains longer).
if [ "$STEPS" != none ]; then
  {
    within 45 $BENCH steps --gpu $GPU $STEPS --warmup 5 --reps 20 --read-every 1
    within 60 $BENCH steps --gpu $GPU $STEPS --warmup 1 --reps 4 --read-every 10
  } > "$OUT/read-every.log" 2>&1
  grep '^|' "$OUT/read-every.log"
fi

common=(--gpu $GPU --digits "$DATA/digits" --tuxpaint "$DATA/tuxpaint" --eval-clips ${CLIPS:-1000} --samples ${CLIPS:-1000}
        --gan-minutes "$GAN_MINUTES" --gan-batch ${GAN_BATCH:-64})
within 600 $BENCH wavegan-is "${common[@]}" --classifier-minutes "$CLASSIFIER_MINUTES" --classifier-batch ${CLASSIFIER_BATCH:-64} \
  --classifier-optimizer adam --classifier-lr 1e-3 --bn-momentum 0.01 --architecture wavegan --out $WIS/wavegan \
  > "$OUT/wavegan-is.log" 2>&1 &
wavegan=$!
# SpecGAN waits for the classifier's weights (or for the WaveGAN run to end without them), then trains beside WaveGAN
# and is scored with the same classifier.
weights=$WIS/wavegan/digit-classifier.bin
until [ -s "$weights" ] || ! kill -0 $wavegan 2>/dev/null; do sleep 2; done
if [ -s "$weights" ]; then
  within 600 $BENCH wavegan-is "${common[@]}" --classifier "$weights" --architecture specgan --out $WIS/specgan \
    > "$OUT/specgan-is.log" 2>&1
else
  echo "no classifier weights: SpecGAN not run"
fi
wait
tar -czf "$OUT/wis.tar.gz" --exclude="*-checkpoints" -C /tmp wis
grep -v "classifier step" "$OUT/wavegan-is.log" | tail -n 25
tail -n 14 "$OUT/specgan-is.log"
pack inception
echo INCEPTION-DONE
