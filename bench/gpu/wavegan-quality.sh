#!/usr/bin/env bash
# One GPU call (about 6 minutes; carry .gpu, timeout_s 600, BUDGET 560): does WaveGAN train as well with the GPU
# defaults of 2026-11-27's third GPU session (the critic's convolutions as TF32 matrix products) and with
# MixedPrecision on top, as with the direct convolutions? Issue 5's Inception-score protocol (bench/gpu/inception.sh):
# one process trains the digit classifier (1 minute), then three WaveGAN runs of the same seed and the same number of
# steps (EPOCHS × 8 steps, 720 by default; GAN_MINUTES is a cap that should not bite: three runs sharing the GPU, the
# slowest, direct one at about 3 steps a second) train side by side on the GPU and are scored by that classifier. Each
# run's summary ends with its last progress line, so a run the cap cut short shows. Timed for an H200 (the run of
# 2026-11-28: 3 steps a second for the direct run): name kind nvidia-h200 in the device call; on the H100's slower
# memory the direct run may reach the cap before its 720 steps.
# Run on 2026-11-28 with 320 steps (EPOCHS=40): every run scored at the untrained floor (IS 1.00-1.08), too early to
# compare anything; 516 and 733 steps scored 1.27 and 2.38 on 2026-11-27. Hence 720 now.
# Here first: bash bench/gpu/publish.sh none and bash bench/gpu/pack-digits.sh DIGITS TUXPAINT; carry [".gpu"].
# Then on the GPU machine, from the repository root: bash bench/gpu/wavegan-quality.sh
# Dry run here (minutes): BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   CLASSIFIER_MINUTES=0.2 GAN_MINUTES=0.1 EPOCHS=1 GAN_BATCH=2 CLIPS=20 OUT=/tmp/dry bash bench/gpu/wavegan-quality.sh
source bench/gpu/common.sh
EPOCHS=${EPOCHS:-90}
GAN_MINUTES=${GAN_MINUTES:-7}
DATA=${DATA:-/tmp/wis-data}
WIS=/tmp/wis-quality
# A rerun on a warm machine must not find the last run's classifier weights or WaveGAN checkpoints (it would resume).
rm -rf "$WIS"
mkdir -p "$WIS" "$DATA"
[ -d "$DATA/digits" ] || tar -xJf .gpu/digits.tar.xz -C "$DATA"
common=(--gpu $GPU --digits "$DATA/digits" --tuxpaint "$DATA/tuxpaint" --eval-clips ${CLIPS:-1000} --samples ${CLIPS:-1000}
        --gan-minutes "$GAN_MINUTES" --gan-epochs "$EPOCHS" --gan-batch ${GAN_BATCH:-64} --architecture wavegan)
within 530 $BENCH wavegan-is "${common[@]}" --classifier-minutes ${CLASSIFIER_MINUTES:-1} --classifier-batch 64 \
  --classifier-optimizer adam --classifier-lr 1e-3 --bn-momentum 0.01 --matrix-convolutions false --out $WIS/direct \
  > "$OUT/direct.log" 2>&1 &
first=$!
# The other two wait for the classifier's weights, then train beside the first run and score with the same weights.
weights=$WIS/direct/digit-classifier.bin
until [ -s "$weights" ] || ! kill -0 $first 2>/dev/null; do sleep 2; done
if [ -s "$weights" ]; then
  within 480 $BENCH wavegan-is "${common[@]}" --classifier "$weights" --matrix-convolutions true --out $WIS/matrix > "$OUT/matrix.log" 2>&1 &
  within 480 $BENCH wavegan-is "${common[@]}" --classifier "$weights" --matrix-convolutions true --mixed-precision true --out $WIS/matrix-bf16 \
    > "$OUT/matrix-bf16.log" 2>&1 &
else
  echo "no classifier weights: only the direct run"
fi
wait
for run in direct matrix matrix-bf16; do
  [ -f "$WIS/$run/results.md" ] && cp "$WIS/$run/results.md" "$OUT/results-$run.md"
  echo "== $run"; grep -E "WaveGAN: batch|IS, |diversity|memorisation" "$OUT/$run.log" 2>/dev/null | tail -n 9
  grep "WaveGAN step" "$OUT/$run.log" 2>/dev/null | tail -n 1
done
pack wavegan-quality
echo WAVEGAN-QUALITY-DONE
