#!/usr/bin/env bash
# The next GPU session's prepared call (kind nvidia-h200, carry [".gpu"], timeout_s 600; BUDGET seconds, default 560, for the whole call):
# wavegan-quality.sh, about 6 minutes. Does WaveGAN train as well with the critic's convolutions as matrix products
# (the GPU default since 2026-11-27) and with bfloat16 (MixedPrecision) as with the direct convolutions? Three runs of
# 720 steps, scored by the Inception-score protocol. MixedPrecision took WaveGAN's step to 0.42-0.52 of PyTorch eager's
# in three runs (issue 6's goal is 0.5; the float32 defaults are at 0.53); it can be on by default only if its score
# holds. The call of 2026-11-28 ran it with 320 steps, too few to tell (BENCHMARKS.md, "GPU (H200, 2026-11-28, fourth
# GPU session)").
# A run starts only with at least 20 s left and is killed at the deadline; the script packs its results into one
# archive beside its logs.
# Before: here, `bash bench/gpu/publish.sh none` (the program, into .gpu/pub.tar.xz) and, if .gpu/digits.tar.xz is
# missing, `bash examples/data/make-digits.sh /tmp/digits-all` (PITCHES="35 65" SPEEDS="140 210" makes only the packed
# subset), `bash examples/data/fetch-tuxpaint-digits.sh /tmp/tuxpaint`, `bash bench/gpu/pack-digits.sh /tmp/digits-all
# /tmp/tuxpaint`. Earlier calls: BENCHMARKS.md, the GPU sections of 2026-11-27 and 2026-11-28.
# With device time left after this call (about 4 minutes), the second call is `bash bench/gpu/adam-memory.sh` (timeout_s
# 240): the GPU memory of the optimiser step since its temporaries are freed as it goes (BENCHMARKS.md, "The optimiser
# step's temporaries").
export BUDGET=${BUDGET:-560}
# The clock starts now, before unpacking the program, so that the call ends within its limit.
export DEADLINE=${DEADLINE:-$(( $(date +%s) + BUDGET ))}
source bench/gpu/common.sh
bash bench/gpu/wavegan-quality.sh
echo NEXT-DONE
