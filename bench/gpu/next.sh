#!/usr/bin/env bash
# The next GPU session's one prepared call, sharing one deadline (BUDGET seconds, default 540; call the device with
# timeout_s 600): first whether WaveGAN trains as well with the critic's convolutions as matrix products (the GPU
# default since 2026-11-27) and with bfloat16 as with the direct convolutions: three runs scored by the Inception-score
# protocol (wavegan-quality.sh, about 6 minutes); then the WaveGAN step with the generator's transposed convolutions as
# matrix products too, and MixedPrecision, beside PyTorch, and PyTorch's profile of the same products (wavegan-next.sh,
# about 2.5 minutes). A step starts only with at least 20 s left and is killed at the deadline, so the last ones (the
# profiles, which print at their end) are the ones a late call loses; each script packs its results into one archive
# beside its logs. Estimated: 455–520 s of the 540. The previous call (CycleGAN's and SeqGAN's graphs, WaveGAN in
# bfloat16) ran on 2026-11-27: BENCHMARKS.md, "GPU (H200, 2026-11-27, third GPU session)".
# First, here: `bash bench/gpu/publish.sh none`, `bash examples/data/make-digits.sh /tmp/digits-all` (PITCHES="35 65"
# SPEEDS="140 210" makes only the packed subset), `bash examples/data/fetch-tuxpaint-digits.sh /tmp/tuxpaint`,
# `bash bench/gpu/pack-digits.sh /tmp/digits-all /tmp/tuxpaint`; then on the device, carrying .gpu: `bash bench/gpu/next.sh`.
# Then, on the same warm machine, a second call of about 3 minutes (carry .gpu, timeout_s 240):
# `BUDGET=200 bash bench/gpu/flat-adam.sh`, the flat Adam inside the CUDA graphs (SeqGAN's D step against PyTorch's).
export BUDGET=${BUDGET:-540}
# The clock starts now, before unpacking the program and importing torch, so that the call ends within its limit.
export DEADLINE=${DEADLINE:-$(( $(date +%s) + BUDGET ))}
source bench/gpu/common.sh
for script in wavegan-quality wavegan-next; do
  bash "bench/gpu/$script.sh"
done
echo NEXT-DONE
