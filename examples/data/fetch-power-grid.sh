#!/usr/bin/env bash
# Fetches the US power grid graph (Watts & Strogatz 1998, as prepared by Mark Newman; 4,941 nodes, 6,594 edges),
# the second graph of issue 4's NetGAN benchmark. Debian's r-cran-igraph package carries it as a test file; this
# downloads that package (about 3.5 MB, no install, no root needed for the download itself) and copies the file out.
#
#   examples/data/fetch-power-grid.sh [TARGET]     # TARGET defaults to data/power-grid under the repository root
#
# Writes TARGET/power.gml.gz (read with GraphFiles.ReadGml) and TARGET/SOURCE.md.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${1:-$repo_root/data/power-grid}"
for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' is required (a Debian or Ubuntu system)." >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download r-cran-igraph >/dev/null)
deb="$(ls "$work"/r-cran-igraph_*.deb)"
dpkg-deb -x "$deb" "$work/x"
file="$work/x/usr/share/doc/r-cran-igraph/tests/testthat/power.gml.gz"
[[ -f "$file" ]] || { echo "error: $(basename "$deb") has no tests/testthat/power.gml.gz" >&2; exit 1; }
mkdir -p "$target"
cp "$file" "$target/power.gml.gz"
cat > "$target/SOURCE.md" <<MD
US power grid (D. J. Watts and S. H. Strogatz, Nature 393, 440-442, 1998; GML by M. E. J. Newman), copied from
Debian's $(basename "$deb") (usr/share/doc/r-cran-igraph/tests/testthat/power.gml.gz).
MD
echo "wrote $target/power.gml.gz"
