#!/usr/bin/env bash
# One short GPU call (about 2 minutes): does libtorch's exported C++ API drive CUDA graphs from outside C++
# (bench/gpu/CUDA-GRAPHS.md)? Lists the exported graph and stream symbols, runs stage 1 (bench/gpu/graphs_probe.py,
# Python only) and, where bench/gpu/publish.sh's .gpu/pub.tar.xz was carried, stage 2 (the bench's `graphs` command:
# the same through TorchSharp, with the library's NetGAN critic). Usage on the GPU machine, from the repository root:
# bash bench/gpu/graphs.sh
source bench/gpu/common.sh
lib=$(python3 -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")
for f in libtorch_cuda.so libc10_cuda.so; do
  nm -D --defined-only "$lib/$f" 2>/dev/null \
    | grep -E 'CUDAGraph|getStreamFromPool|CurrentCUDAStream|DefaultCUDAStream|graph_pool_handle|10CUDAStream6stream' \
    | awk '{print $3}' | while read -r name; do echo "$f $name $(echo "$name" | c++filt)"; done
done > "$OUT/graph-symbols.txt"
echo "$(wc -l < "$OUT/graph-symbols.txt") exported graph/stream symbols (graph-symbols.txt; empty if nm is missing)"
timeout 300 python3 bench/gpu/graphs_probe.py 2>&1 | tee "$OUT/graphs-probe.log"
if [ -f .gpu/pub.tar.xz ]; then
  for run in basic sgd penalty timing; do
    within 120 $BENCH graphs --gpu true --run $run; echo "graphs --run $run: exit code $?"
  done 2>&1 | tee "$OUT/graphs-torchsharp.log"
fi
pack graphs
echo GRAPHS-DONE
