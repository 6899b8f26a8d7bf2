#!/usr/bin/env bash
# Fetches the WaveGAN drums example's data: about 930 real drum one-shots (kicks, snares, toms, hi-hats, cymbals,
# claps, percussion) from Debian's hydrogen-data, hydrogen-drumkits (14 kits) and lmms-common (samples/drums)
# packages: about 160 MB to download, no install and no root needed (apt-get download + dpkg-deb -x).
#
#   examples/data/fetch-drums.sh [--lmms-only] [TARGET]   # TARGET defaults to data/drums under the repository root
#
# --lmms-only takes only lmms-common's 71 drum samples (an 8 MB download, a few seconds): what the notebook uses when
# the full set has not been fetched.
#
# Layout written:
#   TARGET/hydrogen/<kit>/*.wav|*.aiff   one folder per Hydrogen kit, with the kit's drumkit.xml (its author and
#                                        licence), its README when it has one, and copyright (the Debian package's
#                                        copyright file, which lists every kit's licence)
#   TARGET/lmms/drums/*.ogg              LMMS's drum samples, with copyright (lmms-common's); kick04.ogg is left
#                                        out: it is a WAV file of Vorbis-compressed samples, which no decoder here reads
#   TARGET/clips.tsv                     header "Path<TAB>Source<TAB>Kit", then one clip a line, Path relative to TARGET
#   TARGET/ATTRIBUTION.md
# Formats: Microsoft.ML.Gan's audio loader reads WAV, AIFF and OGG Vorbis. Seven Hydrogen kits are FLAC, which no
# NuGet package served here decodes, so this script decodes them to 16-bit WAV with Debian's flac tool (taken from
# the system when installed, otherwise downloaded and unpacked next to the packages like them); the samples are
# otherwise unchanged. Kit folder names have their spaces replaced by underscores.
# Running it again reuses the downloaded packages (kept in TARGET/.deb, about 160 MB; delete it to download again)
# and rewrites the same files.
set -euo pipefail

PACKAGES=(hydrogen-data hydrogen-drumkits lmms-common)
lmms_only=false
if [[ "${1:-}" == --lmms-only ]]; then
  lmms_only=true
  PACKAGES=(lmms-common)
  shift
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${1:-$repo_root/data/drums}"
for tool in apt-get apt-cache dpkg-deb find sort; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' is required (a Debian or Ubuntu system)." >&2; exit 1; }
done

mkdir -p "$target"
target="$(cd "$target" && pwd)"
cache="$target/.deb"
mkdir -p "$cache"
export LC_ALL=C

download() {  # download PACKAGE: into $cache unless a .deb of it is there already
  if ! ls "$cache/$1"_*.deb >/dev/null 2>&1; then
    echo "Downloading $1 ..." >&2
    (cd "$cache" && apt-get download "$1" >/dev/null 2>"$cache/apt.log") || {
      echo "error: 'apt-get download $1' failed:" >&2; cat "$cache/apt.log" >&2
      echo "       (run 'apt-get update' first if the package lists are missing or old)" >&2; exit 1; }
  fi
  ls "$cache/$1"_*.deb | head -n 1
}

extracted="$cache/x"
for package in "${PACKAGES[@]}"; do
  deb="$(download "$package")"
  stamp="$extracted/.$(basename "$deb").done"
  if [[ ! -f "$stamp" ]]; then
    dpkg-deb -x "$deb" "$extracted"
    touch "$stamp"
  fi
done

staging="$target/.staging"
rm -rf "$staging" && mkdir -p "$staging/hydrogen" "$staging/lmms/drums"
flac_count=0
if ! $lmms_only; then
  # The flac decoder: the system's, or Debian's flac with the libraries it needs beyond libc, unpacked privately.
  if command -v flac >/dev/null 2>&1; then
    flac=(flac)
  else
    tools="$cache/flac"
    if [[ ! -x "$tools/usr/bin/flac" ]]; then
      echo "flac is not installed; unpacking Debian's flac into $tools ..."
      libs="$(apt-cache depends flac | awk '/Depends: lib/ && $2 != "libc6" { print $2 }')"
      for lib in $libs; do
        libs="$libs $(apt-cache depends "$lib" | awk '/Depends: lib/ && $2 != "libc6" { print $2 }')"
      done
      for package in flac $libs; do dpkg-deb -x "$(download "$package")" "$tools"; done
    fi
    library_path="$(find "$tools" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)"
    flac=(env "LD_LIBRARY_PATH=$library_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tools/usr/bin/flac")
  fi
  "${flac[@]}" --version >/dev/null 2>&1 || { echo "error: the flac decoder does not run (${flac[*]})." >&2; exit 1; }

  kits="$extracted/usr/share/hydrogen/data/drumkits"
  # hydrogen-data ships the two kits Hydrogen itself installs, hydrogen-drumkits the others: each kit gets its package's copyright.
  drumkits_package="$(dpkg-deb -c "$(ls "$cache"/hydrogen-drumkits_*.deb | head -n 1)")"
  for kit in "$kits"/*/; do
    kit="${kit%/}"
    name="$(basename "$kit" | tr ' ' '_')"
    out="$staging/hydrogen/$name"
    mkdir -p "$out"
    while IFS= read -r -d '' file; do
      case "${file,,}" in
        *.flac)
          "${flac[@]}" --silent --decode --force -o "$out/$(basename "${file%.*}").wav" "$file"
          flac_count=$((flac_count + 1)) ;;
        *.wav|*.aif|*.aiff|*.ogg) cp "$file" "$out/" ;;
      esac
    done < <(find "$kit" -maxdepth 1 -type f -print0)
    for notice in "$kit"/drumkit.xml "$kit"/README*; do [[ -f "$notice" ]] && cp "$notice" "$out/"; done
    if grep -qF "drumkits/$(basename "$kit")/" <<< "$drumkits_package"; then
      cp "$extracted/usr/share/doc/hydrogen-drumkits/copyright" "$out/copyright"
    else
      cp "$extracted/usr/share/doc/hydrogen-data/copyright" "$out/copyright"
    fi
  done
fi

skipped=()
for file in "$extracted"/usr/share/lmms/samples/drums/*.ogg; do
  # kick04.ogg is a WAV (RIFF) file whose samples are Vorbis-compressed (format tag 0x674F), a layout no decoder
  # we use reads; the others are plain OGG Vorbis. Leave out any RIFF file that is not PCM, float or extensible.
  if [[ "$(head -c 4 "$file")" == RIFF ]] && ! [[ "$(od -An -tx1 -j20 -N2 "$file" | tr -d ' ')" =~ ^(0100|0300|feff)$ ]]; then
    skipped+=("lmms/drums/$(basename "$file")")
    continue
  fi
  cp "$file" "$staging/lmms/drums/"
done
cp "$extracted/usr/share/doc/lmms-common/copyright" "$staging/lmms/drums/copyright"

{
  printf 'Path\tSource\tKit\n'
  (cd "$staging" && find . -type f \( -iname '*.wav' -o -iname '*.aif' -o -iname '*.aiff' -o -iname '*.ogg' \) | sed 's|^\./||' | sort) |
    awk -F/ 'BEGIN { OFS = "\t" } { print $0, $1, $2 }'
} > "$staging/clips.tsv"

cat > "$staging/ATTRIBUTION.md" <<NOTE
# Drum one-shots: licences and attribution

Fetched by examples/data/fetch-drums.sh from Debian's packages $(for p in "${PACKAGES[@]}"; do basename "$(ls "$cache/$p"_*.deb | head -n 1)"; done | paste -sd' ').

$($lmms_only || cat <<'HYDROGEN'
- hydrogen/<kit>/: the drum kits of the Hydrogen drum machine. Each kit folder keeps the kit's drumkit.xml (its
  author and licence), its README where it has one, and the Debian package's copyright file, which gives every kit's
  copyright holder and licence (GPL-2, GPL-2+, CC0, CC-BY-3.0, CC-BY-SA-3.0 and CC-BY-SA-3.0-US).
HYDROGEN
)
- lmms/drums/: the drum samples of LMMS (lmms-common, usr/share/lmms/samples/drums), licensed as its copyright file says.

Samples that were FLAC in the packages were decoded to 16-bit WAV with flac; all others are unmodified copies.
$( [[ ${#skipped[@]} -eq 0 ]] || echo "Left out: ${skipped[*]} (a WAV file holding Vorbis-compressed samples)." ) Keep
the licence files with the samples when you redistribute them.
NOTE

# clips.tsv marks a complete data set (DrumData looks for it): it goes first and comes back last, so an interrupted
# run never leaves a list of files that are not there.
rm -f "$target/clips.tsv"
rm -rf "$target/hydrogen" "$target/lmms"
$lmms_only && rmdir "$staging/hydrogen"
for part in "$staging"/*; do [[ "$(basename "$part")" == clips.tsv ]] || mv "$part" "$target/"; done
mv "$staging/clips.tsv" "$target/clips.tsv"
rm -rf "$staging"

$lmms_only || echo "hydrogen kits: $(ls -1 "$target/hydrogen" | wc -l) ($flac_count FLAC samples decoded to WAV)"
echo "clips: $(($(wc -l < "$target/clips.tsv") - 1)) ($(awk -F'\t' 'NR > 1 && $2 == "hydrogen"' "$target/clips.tsv" | wc -l) Hydrogen, $(awk -F'\t' 'NR > 1 && $2 == "lmms"' "$target/clips.tsv" | wc -l) LMMS)"
[[ ${#skipped[@]} -eq 0 ]] || echo "left out (not PCM WAV, AIFF or OGG Vorbis): ${skipped[*]}"
echo "written to $target (list: clips.tsv)"
