#!/usr/bin/env bash
# make bench: the whole build measured stage by stage at each scale (a first build into
# an empty output), then a rebuild over the 1x output, then a 1x build whose ratings are a
# ratings.csv of RATINGS_ROWS rows (the full MovieLens file's size by default; 0 skips
# it), then the recommendation quality.
# usage: tools/bench.sh MARQUEE_BIN DATA_DIR "1 4 8" OUT_DIR [RATINGS_ROWS]
# BENCH_SETTLE (seconds, default 10): pause after deleting an old output, because ext4
# without a journal skips just-deleted inodes and would slow the next build's files.
set -euo pipefail
bin=$1; data=$2; scales=${3:-"1 4 8"}; work=${4:-/tmp/marquee-bench}; ratings_rows=${5:-26000000}
settle=${BENCH_SETTLE:-10}
mkdir -p "$work"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(uname -sr); binary: $bin"
# The site's look is read at run time, from a copy the rebuild cases edit.
rm -rf "$work/templates"; cp -r "$(dirname "$0")/../templates" "$work/templates"
# timed_build LABEL DATA_DIR [OUT_NAME [EXTRA BUILD FLAGS...]]
timed_build() {
  local label=$1 dir=$2 out=${3:-out-$1}
  shift $(( $# < 3 ? $# : 3 ))
  echo "== build $label ($dir)"
  /usr/bin/time -v "${build_bin:-$bin}" build --data "$dir" --out "$work/$out" --templates "$work/templates" --timings \
      --report "$work/bench-$label.json" "$@" 2> "$work/build-$label.err" || { cat "$work/build-$label.err"; exit 1; }
  grep -vE '^\s' "$work/build-$label.err" | grep -v '^Command being timed'
  grep -E 'Elapsed \(wall|Maximum resident' "$work/build-$label.err" | sed 's/^\s*/  process: /'
}
runs=()
for n in $scales; do
  dir="$work/data-${n}x"
  if [ "$n" = 1 ]; then dir="$data"; elif [ ! -f "$dir/.complete" ]; then
    echo "== writing the ${n}x dataset to $dir"
    rm -rf "$dir"; "$bin" scale --data "$data" --out "$dir" --factor "$n"; touch "$dir/.complete"
  fi
  # Warm the file cache so the figures measure marquee, not the disk.
  cat "$dir"/*.csv* > /dev/null
  rm -rf "$work/out-${n}x" "$work/out-${n}x.cache"; sync; sleep "$settle"
  # A scaled copy repeats every film n times, so a person's film list (and page) is
  # n times as long: the page size limit grows with it.
  timed_build "${n}x" "$dir" "out-${n}x" --max-page-kb $((200 * n))
  runs+=("${n}x")
done
# The 1x build again with its SQL on a Ballista cluster on this machine: a scheduler and
# two executors of the binary built with the ballista feature (BENCH_CLUSTER_BIN, set by
# `make bench` unless BENCH_CLUSTER=0), beside the local build above. The nodes run under
# /usr/bin/time too, for their own peak memory.
if [ -n "${BENCH_CLUSTER_BIN:-}" ]; then
  free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
  cluster="$work/cluster"; rm -rf "$cluster"; mkdir -p "$cluster"
  scheduler=127.0.0.1:$(free_port)
  /usr/bin/time -v "$BENCH_CLUSTER_BIN" scheduler --bind "$scheduler" --external-host 127.0.0.1 2> "$cluster/scheduler.err" &
  nodes=($!)
  sleep 1
  for i in 1 2; do
    mkdir -p "$cluster/executor-$i"
    /usr/bin/time -v "$BENCH_CLUSTER_BIN" executor --scheduler "$scheduler" --bind "127.0.0.1:$(free_port)" \
        --external-host 127.0.0.1 --concurrency 2 --work-dir "$cluster/executor-$i" 2> "$cluster/executor-$i.err" &
    nodes+=($!)
  done
  stop_nodes() { for n in "${nodes[@]}"; do pkill -TERM -P "$n" 2> /dev/null || true; done; wait "${nodes[@]}" 2> /dev/null || true; }
  trap stop_nodes EXIT
  sleep 2
  rm -rf "$work/out-cluster-1x" "$work/out-cluster-1x.cache"; sync; sleep "$settle"
  build_bin="$BENCH_CLUSTER_BIN" timed_build cluster-1x "$data" out-cluster-1x --engine "ballista://$scheduler" --scratch "$cluster/scratch"
  runs+=("cluster-1x")
  stop_nodes; trap - EXIT
  for node in scheduler executor-1 executor-2; do
    echo "  $node: $(grep -E 'Maximum resident' "$cluster/$node.err" | sed 's/^\s*//'), cpu $(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$cluster/$node.err") s"
  done
  if [ -d "$work/out-1x" ]; then
    diff -r "$work/out-1x" "$work/out-cluster-1x" > /dev/null && echo "  the cluster's output is the local 1x build's, byte for byte" \
      || { echo "  the cluster's output differs from the local 1x build's"; exit 1; }
  fi
  rm -rf "$work/out-cluster-1x" "$work/out-cluster-1x.cache" "$cluster/scratch"
fi
# A scheduled rebuild: the output exists, unchanged pages are hard-linked from it and
# the old tree is deleted afterwards by a background purge (not part of the figure).
first=${scales%% *}
if [ "$first" = 1 ]; then
  timed_build rebuild-1x "$data" out-1x
  runs+=("rebuild-1x")
  while pgrep -f "marquee purge" > /dev/null; do sleep 1; done
  # One template edited: only the pages that use it are rendered again.
  sed -i 's|</h1>|</h1><!-- bench -->|' "$work/templates/person.html"
  timed_build template-1x "$data" out-1x
  runs+=("template-1x")
  while pgrep -f "marquee purge" > /dev/null; do sleep 1; done
  # The stylesheet edited: no page is rendered again.
  echo "/* bench */" >> "$work/templates/static/style.css"
  timed_build css-1x "$data" out-1x
  runs+=("css-1x")
  while pgrep -f "marquee purge" > /dev/null; do sleep 1; done
  # One movie's popularity changed: the data stages run, few pages are rendered.
  rm -rf "$work/data-popularity"; mkdir -p "$work/data-popularity"
  for f in "$data"/*.csv*; do ln -s "$(realpath "$f")" "$work/data-popularity/"; done
  python3 "$(dirname "$0")/bench_edit_popularity.py" "$data" "$work/data-popularity"
  timed_build popularity-1x "$work/data-popularity" out-1x
  runs+=("popularity-1x")
  while pgrep -f "marquee purge" > /dev/null; do sleep 1; done
fi
# The full-ratings path: the 1x data with ratings.csv of $ratings_rows rows (synthetic
# users made from the real ones by `marquee scale --ratings-rows`).
if [ "$ratings_rows" != 0 ]; then
  dir="$work/data-ratings-$ratings_rows"
  if [ ! -f "$dir/.complete" ]; then
    echo "== writing the 1x dataset with $ratings_rows ratings to $dir"
    rm -rf "$dir"; "$bin" scale --data "$data" --out "$dir" --factor 1 --ratings-rows "$ratings_rows"; touch "$dir/.complete"
  fi
  cat "$dir"/*.csv* > /dev/null
  rm -rf "$work/out-ratings" "$work/out-ratings.cache"; sync; sleep "$settle"
  timed_build ratings "$dir"
  runs+=("ratings")
  rm -rf "$work/out-ratings" "$work/out-ratings.cache"
fi
python3 - "$work" "${runs[@]}" <<'PY'
import json, re, sys
work, runs = sys.argv[1], sys.argv[2:]
table, combined = {}, {}
for n in runs:
    j = json.load(open(f"{work}/bench-{n}.json"))
    err = open(f"{work}/build-{n}.err").read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err).group(1)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    parts = [float(p) for p in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    j["process"] = {"wall_s": seconds, "peak_rss_mb": rss}
    combined[n] = j
    for s in j["stages"]:
        table.setdefault(s["stage"], {})[n] = s["wall_s"]
    table.setdefault("whole process", {})[n] = seconds
w = 12
print("\nwall seconds per stage" + "".join(f"{n:>{w}}" for n in runs))
for stage, by in table.items():
    print(f"{stage:<22}" + "".join(f"{by.get(n, 0):>{w}.3f}" for n in runs))
print(f"{'cpu seconds (stages)':<22}" + "".join(f"{sum(s['cpu_s'] for s in combined[n]['stages']):>{w}.3f}" for n in runs))
print(f"{'recommend cpu s':<22}" + "".join(f"{next(s['cpu_s'] for s in combined[n]['stages'] if s['stage'] == 'recommend'):>{w}.3f}" for n in runs))
print(f"{'peak RSS MB':<22}" + "".join(f"{combined[n]['process']['peak_rss_mb']:>{w}.0f}" for n in runs))
print(f"{'movies':<22}" + "".join(f"{combined[n]['recommend']['movies']:>{w}}" for n in runs))
print(f"{'top-k sum df^2':<22}" + "".join(f"{combined[n]['recommend']['pair_updates']:>{w}.3g}" for n in runs))
print(f"{'files written/linked':<22}" + "".join(f"{str(combined[n]['site']['files_written']) + '/' + str(combined[n]['site']['files_linked']):>{w}}" for n in runs))
print(f"{'pages rendered':<22}" + "".join(f"{combined[n]['pages']['rendered']:>{w}}" for n in runs))
print(f"{'pages reused':<22}" + "".join(f"{combined[n]['pages']['reused']:>{w}}" for n in runs))
json.dump(combined, open(f"{work}/bench.json", "w"), indent=2)
print(f"\nmachine-readable: {work}/bench.json")
PY
echo "== recommendation quality on $data"
"$bin" eval --data "$data" --json "$work/eval.json"
