#!/usr/bin/env bash
# One short GPU call (about 1 minute; nothing to carry, no .NET needed): does libtorch's exported C++ API drive CUDA
# graphs from outside C++ (bench/gpu/CUDA-GRAPHS.md, stage 1)? Lists the exported graph and stream symbols, then runs
# bench/gpu/graphs_probe.py. Usage on the GPU machine, from the repository root: bash bench/gpu/graphs.sh
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
lib=$(python3 -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")
for f in libtorch_cuda.so libc10_cuda.so; do
  nm -D --defined-only "$lib/$f" 2>/dev/null \
    | grep -E 'CUDAGraph|getStreamFromPool|CurrentCUDAStream|DefaultCUDAStream|graph_pool_handle|10CUDAStream6stream' \
    | awk '{print $3}' | while read -r name; do echo "$f $name $(echo "$name" | c++filt)"; done
done > "$OUT/graph-symbols.txt"
echo "$(wc -l < "$OUT/graph-symbols.txt") exported graph/stream symbols (graph-symbols.txt; empty if nm is missing)"
timeout 300 python3 bench/gpu/graphs_probe.py 2>&1 | tee "$OUT/graphs-probe.log"
echo GRAPHS-DONE
