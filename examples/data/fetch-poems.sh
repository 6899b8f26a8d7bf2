#!/usr/bin/env bash
# Fetches the SeqGAN poem example's data: the Tang and Song poems of the chinese-poetry collection
# (npm package chinese-poetry 2.0.1, MIT; about 85 MB to download, 130 MB of JSON kept).
#
#   examples/data/fetch-poems.sh [TARGET]      # TARGET defaults to data/poems under the repository root
#
# Layout written (what Microsoft.ML.Gan.PoemDataset reads): TARGET/poet.tang.*.json and TARGET/poet.song.*.json
# (58 + 255 files, 57,607 Tang and 254,248 Song poems; records {"author", "paragraphs": [...], "title"}),
# TARGET/LICENSE and TARGET/SOURCE.md. PoemDataset keeps the five-character quatrains (16,780 distinct) and splits
# them by a hash of their text, so this script does no filtering.
# Running it again reuses the downloaded package (kept in TARGET/.npm-pack; delete it to download again).
set -euo pipefail

PACKAGE=chinese-poetry
VERSION=2.0.1

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${1:-$repo_root/data/poems}"

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is not installed or not on PATH; it is needed to download the $PACKAGE package." >&2
  echo "       Install Node.js (e.g. 'apt-get install npm') and run this script again." >&2
  exit 1
fi
command -v tar >/dev/null 2>&1 || { echo "error: 'tar' is required but not found." >&2; exit 1; }

mkdir -p "$target"
target="$(cd "$target" && pwd)"
cache="$target/.npm-pack"
mkdir -p "$cache"
export LC_ALL=C

tgz="$cache/$PACKAGE-$VERSION.tgz"
if [[ ! -s "$tgz" ]]; then
  echo "Downloading $PACKAGE@$VERSION ..."
  (cd "$cache" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
  [[ -s "$tgz" ]] || { echo "error: npm pack did not produce $tgz" >&2; exit 1; }
fi

# Extract into a fresh folder and move the files in only when all are there, so an interrupted run leaves no
# half-written set behind. The 'error/' sub-folder (the collection's corrections log) is not extracted.
staging="$target/.staging"
rm -rf "$staging" && mkdir -p "$staging"
tar xzf "$tgz" -C "$staging" --wildcards --no-wildcards-match-slash 'package/dist/quantangshi/poet.*.json' 'package/LICENSE'
files=("$staging"/package/dist/quantangshi/poet.*.json)
(( ${#files[@]} > 0 )) || { echo "error: $tgz holds no package/dist/quantangshi/poet.*.json" >&2; exit 1; }
rm -f "$target"/poet.*.json
mv "${files[@]}" "$target/"
mv "$staging/package/LICENSE" "$target/LICENSE"
rm -rf "$staging"

cat > "$target/SOURCE.md" <<NOTE
# Chinese poems: source and licence

Fetched by examples/data/fetch-poems.sh from the npm package $PACKAGE@$VERSION (the chinese-poetry collection by
JackeyGao and contributors, MIT licence: see LICENSE): the files package/dist/quantangshi/poet.tang.*.json (Tang)
and poet.song.*.json (Song), unmodified, traditional characters.
NOTE

echo "poem files: $(ls -1 "$target"/poet.tang.*.json | wc -l) Tang, $(ls -1 "$target"/poet.song.*.json | wc -l) Song"
echo "written to $target"
