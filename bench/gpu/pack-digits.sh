#!/usr/bin/env bash
# Here: packs the spoken digits for bench/gpu/inception.sh into .gpu/digits.tar.xz (digits/ and tuxpaint/).
# A device call carries at most 64 MiB and the published bench takes about 30 of them, so not all of
# examples/data/make-digits.sh's 7,560 clips fit (about 60 MB packed): this keeps every accent and voice at the outer
# pitches (35, 65) and speeds (140, 210 words/min), 3,360 clips, and the 20 English tuxpaint recordings.
# Usage: bash bench/gpu/pack-digits.sh DIGITS_FOLDER TUXPAINT_FOLDER
set -euo pipefail
digits=${1:?digits folder (examples/data/make-digits.sh)}
tuxpaint=${2:?tuxpaint folder (examples/data/fetch-tuxpaint-digits.sh)}
cd "$(dirname "$0")/../.."
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/digits" "$stage/tuxpaint" .gpu
find "$digits" -name '*_p[36]5_s[12][41]0.wav' -exec cp -t "$stage/digits" {} +
cp "$tuxpaint"/[0-9].ogg "$tuxpaint"/[0-9]_en_GB.ogg "$stage/tuxpaint/"
echo "packing $(ls "$stage/digits" | wc -l) clips and $(ls "$stage/tuxpaint" | wc -l) recordings"
tar -cf - -C "$stage" digits tuxpaint | xz -T0 -9e > .gpu/digits.tar.xz
du -sh .gpu/*
