#!/usr/bin/env bash
# Fetches real recordings of spoken digits: Tux Paint's "math" stamps carry a voice saying each digit, recorded by
# volunteers in many languages (Debian package tuxpaint-stamps-default, GPL-2, about 161 MB to download). Used as the
# real-people test set of the digit classifier behind the Inception score (examples/data/make-digits.sh makes the
# synthetic training set).
#
#   examples/data/fetch-tuxpaint-digits.sh [TARGET]     # TARGET defaults to data/tuxpaint-digits under the repository root
#
# Writes TARGET/<digit>[_<language>].ogg (symbols/math/{0..9}*.ogg, the label is the file name's first character; the
# digit's spoken word is in that language) and TARGET/SOURCE.md. Needs no root: the package is downloaded, not installed.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${1:-$repo_root/data/tuxpaint-digits}"
for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' is required (a Debian or Ubuntu system)." >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download tuxpaint-stamps-default >/dev/null)
deb="$(ls "$work"/tuxpaint-stamps-default_*.deb)"
dpkg-deb -x "$deb" "$work/x"
math="$work/x/usr/share/tuxpaint/stamps/symbols/math"
[[ -d "$math" ]] || { echo "error: $(basename "$deb") has no usr/share/tuxpaint/stamps/symbols/math" >&2; exit 1; }
mkdir -p "$target"
count=0
for f in "$math"/[0-9]*.ogg; do
  [[ -e "$f" ]] || continue
  cp "$f" "$target/"
  count=$((count + 1))
done
[[ $count -gt 0 ]] || { echo "error: no digit recordings (symbols/math/{0..9}*.ogg) in $(basename "$deb")" >&2; exit 1; }
cat > "$target/SOURCE.md" <<MD
$count recordings of spoken digits copied from Debian's $(basename "$deb")
(usr/share/tuxpaint/stamps/symbols/math/{0..9}*.ogg; Tux Paint stamps, GPL-2). The label is the file name's first
character; files with a _<language> suffix speak the digit in that language (_desc_<language>: a description), the
others in English (as does _en_GB).
MD
echo "wrote $count recordings to $target"
