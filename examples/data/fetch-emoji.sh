#!/usr/bin/env bash
# Fetches the CycleGAN example's default data: the same emoji drawn by two vendors
# (google = domain A, twitter = domain B), 64x64 PNG, from the npm packages
# emoji-datasource-google and emoji-datasource-twitter 16.0.0 (about 140 MB to download).
#
#   examples/data/fetch-emoji.sh [TARGET]      # TARGET defaults to data/emoji under the repository root
#
# Layout written (what Microsoft.ML.Gan.EmojiDataset reads):
#   TARGET/google/<name>.png  TARGET/twitter/<name>.png  TARGET/split.tsv  TARGET/ATTRIBUTION.md
# Only names present in both vendors and without a skin-tone modifier are kept. split.tsv holds
# one line per name, "name<TAB>train|test"; a name is held out for test when the first 8 hex
# digits of the MD5 of its file name, as a number, are divisible by 10 (about 10%), so the split
# does not depend on the machine, the locale or the order of files.
# Running it again reuses the downloaded packages (kept in TARGET/.npm-pack, about 170 MB; delete it
# to download again) and rewrites the same files.
set -euo pipefail

VERSION=16.0.0
VENDORS=(google twitter)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${1:-$repo_root/data/emoji}"

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is not installed or not on PATH; it is needed to download the emoji-datasource packages." >&2
  echo "       Install Node.js (e.g. 'apt-get install npm') and run this script again." >&2
  exit 1
fi
for tool in tar md5sum awk sort comm cut xargs; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' is required but not found." >&2; exit 1; }
done

mkdir -p "$target"
target="$(cd "$target" && pwd)"
cache="$target/.npm-pack"
mkdir -p "$cache"
export LC_ALL=C

for vendor in "${VENDORS[@]}"; do
  tgz="$cache/emoji-datasource-$vendor-$VERSION.tgz"
  if [[ ! -s "$tgz" ]]; then
    echo "Downloading emoji-datasource-$vendor@$VERSION ..."
    (cd "$cache" && npm pack --silent "emoji-datasource-$vendor@$VERSION" >/dev/null)
    [[ -s "$tgz" ]] || { echo "error: npm pack did not produce $tgz" >&2; exit 1; }
  fi
  extracted="$cache/$vendor"
  if [[ ! -d "$extracted/package/img/$vendor/64" ]]; then
    rm -rf "$extracted" && mkdir -p "$extracted"
    tar xzf "$tgz" -C "$extracted" --wildcards 'package/img/*/64/*'
  fi
done

# Skin-tone variants add a Fitzpatrick modifier (U+1F3FB..U+1F3FF) after the base code; the five
# modifiers on their own (1f3fb.png ...) are colour swatches, not variants, and are kept.
list() {
  (cd "$cache/$1/package/img/$1/64" && ls -1 -- *.png) | grep -v -E -- '-1f3f[b-f](-|\.png$)' | sort
}
list google  > "$cache/google.names"
list twitter > "$cache/twitter.names"
comm -12 "$cache/google.names" "$cache/twitter.names" > "$cache/both.names"

for vendor in "${VENDORS[@]}"; do
  rm -rf "$target/$vendor.tmp" && mkdir -p "$target/$vendor.tmp"
  (cd "$cache/$vendor/package/img/$vendor/64" && xargs -d '\n' cp -t "$target/$vendor.tmp" --) < "$cache/both.names"
  rm -rf "$target/$vendor" && mv "$target/$vendor.tmp" "$target/$vendor"
done

while IFS= read -r name; do
  h="$(printf '%s' "$name" | md5sum | cut -c1-8)"
  if (( 16#$h % 10 == 0 )); then split=test; else split=train; fi
  printf '%s\t%s\n' "$name" "$split"
done < "$cache/both.names" > "$target/split.tsv.tmp"
mv "$target/split.tsv.tmp" "$target/split.tsv"

cat > "$target/ATTRIBUTION.md" <<NOTE
# Emoji images: licences and attribution

Fetched by examples/data/fetch-emoji.sh from the npm packages emoji-datasource-google@$VERSION and
emoji-datasource-twitter@$VERSION (64x64 PNG, only names present in both and without skin tones).

- google/: Noto Emoji v2.048, Copyright Google Inc., licensed under the Apache License, Version 2.0
  (https://www.apache.org/licenses/LICENSE-2.0).
- twitter/: Twemoji v16.0.1 (the jdecked/twemoji fork), Copyright Twitter, Inc. and other contributors,
  graphics licensed under CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/).

The npm packages themselves (emoji-data by Cal Henderson) are MIT-licensed; the images keep the
licences above, as the packages' README states.

The images are unmodified copies. Keep this file with them when you redistribute them.
NOTE

count() { wc -l < "$1" | tr -d ' '; }
awk -F'\t' '$2=="train"' "$target/split.tsv" > "$cache/train.names"
echo "google PNGs (64x64):           $(ls -1 "$cache/google/package/img/google/64" | wc -l)"
echo "twitter PNGs (64x64):          $(ls -1 "$cache/twitter/package/img/twitter/64" | wc -l)"
echo "without skin tones: google $(count "$cache/google.names"), twitter $(count "$cache/twitter.names")"
echo "in both vendors (kept):        $(count "$cache/both.names")"
echo "split: train $(count "$cache/train.names"), test $(( $(count "$cache/both.names") - $(count "$cache/train.names") ))"
echo "written to $target"
