#!/usr/bin/env bash
# One GPU call: continues the NetGAN Cora-ML run that is resumed across sessions (BENCHMARKS.md, "NetGAN on the CPU")
# for MINUTES on the GPU. Its checkpoint (about 11 MB) travels in .gpu/netgan-long/checkpoint.mlgan; the run resumes
# from it with the options it was started with (the checkpoint's fingerprint must match them), and the checkpoint it
# leaves comes back in $OUT/netgan-resume.tgz (under netgan-long/), with the log and, at the end, the statistics of 5
# generated graphs. Each iteration is replayed as one CUDA graph (NetGAN's default on a GPU, about 19 ms on an H200).
# Here, before the call (after bash bench/gpu/publish.sh none):
#   mkdir -p .gpu/netgan-long && cp /work/netgan-cpu-long/checkpoints/checkpoint.mlgan .gpu/netgan-long/
# On the GPU machine, from the repository root: MINUTES=8 bash bench/gpu/netgan-resume.sh
# Afterwards, to go on on the CPU: unpack the archive and copy netgan-long/checkpoint.mlgan back to
# /work/netgan-cpu-long/checkpoints/.
source bench/gpu/common.sh
MINUTES=${MINUTES:-8}
EVAL_WALKS=${EVAL_WALKS:-100000} # the paper's evaluation samples about 1,000,000 walks (15 M transitions)
mkdir -p /tmp/netgan-long/checkpoints "$OUT/netgan-long"
cp .gpu/netgan-long/checkpoint.mlgan /tmp/netgan-long/checkpoints/
# Where an evaluation's time goes on the GPU, with the run's generator (about 14 s per 100,000 walks on an H200 with
# the Gumbel draws, not broken down yet).
within 60 $BENCH netgan-eval --gpu "$GPU" --reps 2 --checkpoint /tmp/netgan-long/checkpoints/checkpoint.mlgan > "$OUT/netgan-eval.log" 2>&1
# The final statistics (500,000 walks, 5 graphs) come after --max-minutes; 150 s are left for them.
within "$(python3 -c "print(int(float('$MINUTES') * 60 + 150))")" $BENCH netgan --gpu "$GPU" --iterations 200000 \
  --eval-every 1000 --eval-walks "$EVAL_WALKS" --scoring-walks 500000 --eo 0.5 --max-minutes "$MINUTES" \
  --out /tmp/netgan-long > "$OUT/netgan-long/log" 2>&1
echo "netgan exit code $?"
cp /tmp/netgan-long/checkpoints/checkpoint.mlgan "$OUT/netgan-long/"
cp /tmp/netgan-long/result.md "$OUT/netgan-long/" 2>/dev/null
grep -E "resumed|Evaluation|limit|trained" "$OUT/netgan-long/log"
pack netgan-resume
echo NETGAN-RESUME-DONE
