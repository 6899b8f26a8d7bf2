#!/usr/bin/env bash
# Synthesises an SC09-like spoken-digit set ("zero" … "nine") with espeak-ng and sox, the recipe of the project's
# data survey: 7 English accents × 12 voices × 3 pitches × 3 speeds × 10 digits = 7,560 one-second, 16 kHz, 16-bit mono
# WAVs, each trimmed of leading and trailing silence and padded (or cut) to exactly one second. The real SC09 set
# (Speech Commands) cannot be fetched here; this is the stand-in the Inception-score classifier is trained on.
#
#   examples/data/make-digits.sh [TARGET]     # TARGET defaults to data/digits under the repository root
#
# Writes TARGET/<digit>_<accent>_<voice>_p<pitch>_s<speed>.wav (the label is the file name up to the first '_') and
# TARGET/SOURCE.md. The data survey measured about 63 s on 2 cores; on a 2-core machine at load average 20 it made about
# 1.5 clips a second (well over an hour). Installs espeak-ng and sox with apt-get when they are missing.
# PITCHES="35 65" SPEEDS="140 210" make a smaller set (bench/gpu/pack-digits.sh uses that one). Clips already in
# TARGET are kept, so a stopped run picks up where it stopped.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${1:-$repo_root/data/digits}"
if ! command -v espeak-ng >/dev/null 2>&1 || ! command -v sox >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || { echo "error: espeak-ng and sox are required (apt-get not found)." >&2; exit 1; }
  sudo_cmd=""; [[ "$(id -u)" == 0 ]] || sudo_cmd="sudo"
  flock /tmp/apt.lock $sudo_cmd apt-get install -y espeak-ng sox >/dev/null
fi

accents=(en-us en-gb en-gb-scotland en-gb-x-rp en-gb-x-gbclan en-gb-x-gbcwmd en-029)
voices=(m1 m2 m3 m4 m5 m6 m7 f1 f2 f3 f4 f5)
read -r -a pitches <<< "${PITCHES:-35 50 65}"
read -r -a speeds <<< "${SPEEDS:-140 175 210}"
digits=(zero one two three four five six seven eight nine)

mkdir -p "$target"
jobs_file="$(mktemp)"
trap 'rm -f "$jobs_file"' EXIT
for a in "${accents[@]}"; do for v in "${voices[@]}"; do for p in "${pitches[@]}"; do for s in "${speeds[@]}"; do
  for d in "${digits[@]}"; do echo "$d $a $v $p $s"; done
done; done; done; done > "$jobs_file"

# One clip: speak, resample to 16 kHz 16-bit mono, trim silence at both ends (the reverse trick), pad to 1 s, cut at 1 s.
synth() {
  local d=$1 a=$2 v=$3 p=$4 s=$5 out=$6
  local name="${d}_${a}_${v}_p${p}_s${s}"
  [[ -s "$out/$name.wav" ]] && return 0
  local tmp; tmp="$(mktemp -d)"
  espeak-ng -v "$a+$v" -p "$p" -s "$s" -w "$tmp/t.wav" "$d"
  sox "$tmp/t.wav" -r 16000 -b 16 -c 1 "$tmp/o.wav" silence 1 0.01 1% reverse silence 1 0.01 1% reverse
  # Written beside the target under a name no *.wav glob takes, then renamed: a stopped run leaves no partial clip.
  sox "$tmp/o.wav" -t wav "$out/.$name.part" pad 0 1 trim 0 1
  mv "$out/.$name.part" "$out/$name.wav"
  rm -rf "$tmp"
}
export -f synth
xargs -P "$(nproc)" -L 1 bash -c 'synth "$0" "$1" "$2" "$3" "$4" "'"$target"'"' < "$jobs_file"

count="$(find "$target" -name '*.wav' | wc -l)"
cat > "$target/SOURCE.md" <<MD
Synthetic spoken digits made by examples/data/make-digits.sh with $(espeak-ng --version | head -1) and
$(sox --version | head -1): ${#accents[@]} accents (${accents[*]}) × ${#voices[@]} voice variants × pitches (${pitches[*]})
× speeds (${speeds[*]} words/min) × 10 digits = $count one-second 16 kHz 16-bit mono WAVs. The label is the file name
up to the first '_'.
MD
echo "wrote $count clips to $target"
