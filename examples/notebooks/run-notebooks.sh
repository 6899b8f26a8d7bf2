#!/usr/bin/env bash
# Runs notebooks headless with dotnet-repl and fails if any cell fails.
#
#   examples/notebooks/run-notebooks.sh [NOTEBOOK.ipynb ...]    # default: every examples/notebooks/*.ipynb
#
# Builds the library the notebooks reference (src/Microsoft.ML.Gan, Release), installs dotnet-repl into .tools/ when
# it is missing, runs each notebook from its own folder (as VS Code does) and writes the executed copy to
# out/notebooks/NAME.ipynb.
set -euo pipefail

REPL_VERSION=0.3.259
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.tools"
out="$root/out/notebooks"

# libtorch's OpenMP threads busy-wait between parallel regions; when anything else wants the CPU (dotnet-repl's own
# threads, or a second job on a 2-core machine) that made the notebook's training 8x slower here (254 s against 31 s).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

if [[ $# -gt 0 ]]; then
  notebooks=()
  for nb in "$@"; do notebooks+=("$(cd "$(dirname "$nb")" && pwd)/$(basename "$nb")"); done
else
  notebooks=("$root"/examples/notebooks/*.ipynb)
fi

if ! dotnet tool list --tool-path "$tools" 2>/dev/null | grep -qE "^dotnet-repl +$REPL_VERSION "; then
  dotnet tool install --tool-path "$tools" dotnet-repl --version "$REPL_VERSION" \
    || dotnet tool update --tool-path "$tools" dotnet-repl --version "$REPL_VERSION"
fi

echo "Building src/Microsoft.ML.Gan (Release) ..."
dotnet build "$root/src/Microsoft.ML.Gan" -c Release --nologo -v quiet -clp:ErrorsOnly

# dotnet-repl prints nothing about a failing cell; the executed notebook holds the error.
show_errors() {
  command -v python3 >/dev/null || { echo "  (see $1)"; return; }
  python3 - "$1" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
for i, cell in enumerate(nb["cells"]):
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            print(f"  cell {i + 1}: {o.get('ename')}: {o.get('evalue', '')[:1500]}")
PY
}

mkdir -p "$out"
failed=()
for nb in "${notebooks[@]}"; do
  name="$(basename "$nb" .ipynb)"
  result="$out/$name.ipynb"
  echo "Running $nb ..."
  start=$SECONDS
  if (cd "$(dirname "$nb")" && "$tools/dotnet-repl" --run "$(basename "$nb")" --exit-after-run --output-path "$result" </dev/null); then
    echo "  passed in $((SECONDS - start)) s: $result"
  else
    echo "  FAILED after $((SECONDS - start)) s: $result"
    show_errors "$result"
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "${#failed[@]} of ${#notebooks[@]} notebook(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "${#notebooks[@]} notebook(s) passed."
