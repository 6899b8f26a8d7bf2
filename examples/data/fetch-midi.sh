#!/usr/bin/env bash
# Fetches real MIDI music from Debian packages for SeqGAN's music experiment (the paper's Nottingham folk tunes are
# not reachable from here). Downloads the packages (no install, no root needed), unpacks each
# with dpkg-deb -x and copies every .mid/.midi file out, prefixed with the package name so names never collide.
#
#   examples/data/fetch-midi.sh [TARGET]     # TARGET defaults to data/midi under the repository root
#
# Packages: simutrans-data, openttd-openmsx, planetblupi-music-midi, pianobooster, mma (about 180 files in all).
# A package the mirror does not serve is skipped with a warning; the script fails only if no file was found.
# Writes TARGET/*.mid and TARGET/SOURCE.md (which package gave which files, and their licences' location), into a
# staging folder beside TARGET that replaces it at the end: an interrupted run leaves the old TARGET (or none).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${1:-$repo_root/data/midi}"
for tool in apt-get dpkg-deb find; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' is required (a Debian or Ubuntu system)." >&2; exit 1; }
done

packages=(simutrans-data openttd-openmsx planetblupi-music-midi pianobooster mma)
mkdir -p "$(dirname "$target")"
target="$(cd "$(dirname "$target")" && pwd)/$(basename "$target")"
staging="$(dirname "$target")/.$(basename "$target").staging.$$"
work="$(mktemp -d)"
trap 'rm -rf "$work" "$staging"' EXIT
mkdir -p "$staging"
{
  echo "MIDI files copied from Debian packages by examples/data/fetch-midi.sh. Each package's licence is in its"
  echo "usr/share/doc/PACKAGE/copyright inside the .deb."
  echo
} > "$staging/SOURCE.md"
total=0
for package in "${packages[@]}"; do
  if ! (cd "$work" && apt-get download "$package" >/dev/null 2>&1); then
    echo "warning: could not download $package; skipped" >&2
    continue
  fi
  deb="$(ls "$work"/"${package}"_*.deb | head -n 1)"
  dpkg-deb -x "$deb" "$work/x-$package"
  count=0
  while IFS= read -r -d '' file; do
    name="$(basename "$file")"
    cp "$file" "$staging/${package}__${name%.*}.mid"
    count=$((count + 1))
  done < <(find "$work/x-$package" -type f \( -iname '*.mid' -o -iname '*.midi' \) -print0)
  echo "- $(basename "$deb"): $count files" >> "$staging/SOURCE.md"
  echo "$package: $count files"
  total=$((total + count))
done
[[ $total -gt 0 ]] || { echo "error: no .mid files found in ${packages[*]} (when none could be downloaded, the package lists may be missing: run apt-get update as root first)" >&2; exit 1; }
rm -rf "$target.old"
[[ ! -e "$target" ]] || mv "$target" "$target.old"
mv "$staging" "$target"
rm -rf "$target.old"
echo "wrote $total MIDI files to $target"
