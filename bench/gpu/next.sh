#!/usr/bin/env bash
# The next GPU session's one prepared call: the three checks written without a GPU, sharing one deadline (BUDGET
# seconds, default 540; call the device with timeout_s 600): CycleGAN's two CUDA graphs (graphs-cyclegan.sh, about 5
# minutes; the step furthest from issue 6's goal), SeqGAN's discriminator and MLE updates as CUDA graphs
# (graphs-seqgan.sh, about 2 minutes), WaveGAN in bfloat16 (wavegan-bf16.sh, about 2 minutes). A step that would pass
# the deadline is skipped and says so; each script packs its results into one archive beside its log (six files).
# First, here: `bash bench/gpu/publish.sh none`; then on the device, carrying .gpu/pub.tar.xz: `bash bench/gpu/next.sh`.
export BUDGET=${BUDGET:-540}
# The clock starts now, before unpacking the program and importing torch, so that the call ends within its limit.
export DEADLINE=${DEADLINE:-$(( $(date +%s) + BUDGET ))}
source bench/gpu/common.sh
for script in graphs-cyclegan graphs-seqgan wavegan-bf16; do
  bash "bench/gpu/$script.sh"
done
echo NEXT-DONE
