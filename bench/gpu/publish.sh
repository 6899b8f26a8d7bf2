#!/usr/bin/env bash
# Here (with .NET): packs what the GPU scripts need into .gpu/ (ignored by git; name it in the device call's carry):
# the bench program self-contained for linux-x64 against an external libtorch (without ONNX Runtime), and the emoji
# data. bench/gpu/pack-digits.sh adds the spoken digits for inception.sh.
# Usage: bash bench/gpu/publish.sh [emoji folder]
set -euo pipefail
cd "$(dirname "$0")/../.."
emoji=${1:-data/emoji}
stage=$(mktemp -d)
dotnet publish bench/Microsoft.ML.Gan.Bench -c Release -r linux-x64 --self-contained -p:TorchBackend=external -o "$stage/pub"
find "$stage/pub" \( -name '*.pdb' -o -name '*.dbg' \) -delete
# The GPU scripts never run ONNX Runtime (its CUDA provider does not fit a device call anyway) nor a debugger:
# without these 50 MB the program packs to about 30 MB, which leaves room in the 64 MiB carry for the data.
rm -f "$stage/pub/libonnxruntime.so" "$stage/pub/onnxruntime.dll" "$stage/pub/libmscordaccore.so" "$stage/pub/libmscordbi.so"
mkdir -p .gpu/emoji
XZ_OPT=-9e tar -cJf .gpu/pub.tar.xz -C "$stage" pub
rm -rf "$stage"
# steps.sh needs no images: without the emoji folder only the program is packed.
if [ -d "$emoji" ]; then
  for part in split.tsv ATTRIBUTION.md google twitter; do cp -r "$emoji/$part" .gpu/emoji/; done
else
  echo "no $emoji: packed the program only (enough for steps.sh, not for smoke.sh / long.sh)"
fi
du -sh .gpu
