#!/usr/bin/env bash
# measure.sh: `benchtrace analyze` against the Python reference on the same
# logs, whole process, as docs/performance.md reports them.
#
#   bench/tools/pyref/measure.sh [N_LOGS] [ROUNDS]
#
# It builds benchtrace and genlogs into $WORK (default /tmp/analyze-measure),
# writes N_LOGS (default 10000) seeded logs there once, checks that both
# print the same summary byte for byte, then runs them ROUNDS times
# (default 11), alternating, under /usr/bin/time (apt install time), and
# prints each run and the medians: wall seconds, user and system CPU
# seconds, peak RSS.
set -euo pipefail

n=${1:-10000}
rounds=${2:-11}
work=${WORK:-/tmp/analyze-measure}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
logs=$work/logs-$n
mkdir -p "$work"

(cd "$repo" && go build -o "$work/benchtrace" ./bench/cmd/benchtrace && go build -o "$work/genlogs" ./bench/tools/genlogs/cmd/genlogs)
if [ ! -d "$logs" ]; then
	"$work/genlogs" -n "$n" -dir "$logs"
fi

# The interpreter itself: a version manager's shim (pyenv's is a shell
# script) would add its own start-up to every Python run.
python=$(python3 -c 'import sys; print(sys.executable)')
py=("$python" "$repo/bench/tools/pyref/analyze_ref.py" "$logs")
go=("$work/benchtrace" analyze --log-dir "$logs")

"${py[@]}" >"$work/py.out" 2>"$work/py.err"
"${go[@]}" >"$work/go.out" 2>"$work/go.err"
cmp "$work/py.out" "$work/go.out"
cmp "$work/py.err" "$work/go.err"
echo "same output: $(wc -c <"$work/go.out") bytes, $(wc -l <"$work/go.err") warnings"

: >"$work/times"
for i in $(seq "$rounds"); do
	/usr/bin/time -o "$work/t" -f "%e %U %S %M" "${py[@]}" >/dev/null 2>&1
	echo "py $(cat "$work/t")" | tee -a "$work/times"
	/usr/bin/time -o "$work/t" -f "%e %U %S %M" "${go[@]}" >/dev/null 2>&1
	echo "go $(cat "$work/t")" | tee -a "$work/times"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for who in py go; do
	printf '%-4s median: %s s wall, %s s user, %s s sys, %s KB peak RSS\n' "$who" \
		"$(awk -v w="$who" '$1==w {print $2}' "$work/times" | median)" \
		"$(awk -v w="$who" '$1==w {print $3}' "$work/times" | median)" \
		"$(awk -v w="$who" '$1==w {print $4}' "$work/times" | median)" \
		"$(awk -v w="$who" '$1==w {print $5}' "$work/times" | median)"
done
awk '$1=="py" {p[++i]=$2} $1=="go" {g[++j]=$2} END {for (k=1; k<=i; k++) print p[k]/g[k]}' "$work/times" | median |
	xargs printf 'median of the paired ratios (python / go, wall): %.1fx\n'
