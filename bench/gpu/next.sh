#!/usr/bin/env bash
# The next GPU session's prepared calls. The first (this script) shares one deadline, BUDGET seconds (default 560; call
# the device with timeout_s 600):
# 1. wavegan-quality.sh (about 6 minutes): does WaveGAN train as well with the critic's convolutions as matrix products
#    (the GPU default since 2026-11-27) and with bfloat16 (MixedPrecision) as with the direct convolutions? Three runs
#    scored by the Inception-score protocol. This decides whether MixedPrecision can be on, which takes WaveGAN's step to
#    0.45 of PyTorch eager's (issue 6's goal is 0.5).
# 2. flat-adam.sh (about 2.5 minutes): the flat Adam inside the CUDA graphs, SeqGAN's D step against PyTorch's graphed
#    one (the one row still slower than PyTorch's best), then CycleGAN and NetGAN.
# A run starts only with at least 20 s left and is killed at the deadline, so NetGAN's flat pair, last, is what a late
# call loses; each script packs its results into one archive beside its logs.
# The second call, on the same warm machine if the session's device time allows (about 3 minutes; carry .gpu, timeout_s
# 240): `BUDGET=200 bash bench/gpu/wavegan-next.sh`, the generator's transposed convolutions as matrix products too, with
# and without MixedPrecision, beside PyTorch, and PyTorch's profile of the same products.
# Before: here, `bash bench/gpu/publish.sh none` (the program, into .gpu/pub.tar.xz) and, if .gpu/digits.tar.xz is
# missing, `bash examples/data/make-digits.sh /tmp/digits-all` (PITCHES="35 65" SPEEDS="140 210" makes only the packed
# subset), `bash examples/data/fetch-tuxpaint-digits.sh /tmp/tuxpaint`, `bash bench/gpu/pack-digits.sh /tmp/digits-all
# /tmp/tuxpaint`. Earlier calls: BENCHMARKS.md, "GPU (H200, 2026-11-27, third GPU session)".
export BUDGET=${BUDGET:-560}
# The clock starts now, before unpacking the program and importing torch, so that the call ends within its limit.
export DEADLINE=${DEADLINE:-$(( $(date +%s) + BUDGET ))}
source bench/gpu/common.sh
for script in wavegan-quality flat-adam; do
  bash "bench/gpu/$script.sh"
done
echo NEXT-DONE
