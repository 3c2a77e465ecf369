#!/usr/bin/env bash
# make bench: the whole build measured stage by stage at each scale, then the
# recommendation quality. usage: tools/bench.sh MARQUEE_BIN DATA_DIR "1 2 4" OUT_DIR
set -euo pipefail
bin=$1; data=$2; scales=${3:-"1 2 4"}; work=${4:-/tmp/marquee-bench}
mkdir -p "$work"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(uname -sr); binary: $bin"
runs=()
for n in $scales; do
  dir="$work/data-${n}x"
  if [ "$n" = 1 ]; then dir="$data"; elif [ ! -f "$dir/.complete" ]; then
    echo "== writing the ${n}x dataset to $dir"
    rm -rf "$dir"; "$bin" scale --data "$data" --out "$dir" --factor "$n"; touch "$dir/.complete"
  fi
  # Warm the file cache so the figures measure marquee, not the disk.
  cat "$dir"/*.csv* > /dev/null
  echo "== build ${n}x ($dir)"
  /usr/bin/time -v "$bin" build --data "$dir" --out "$work/out-${n}x" --max-reject-share 0.05 --timings \
      --timings-json "$work/bench-${n}x.json" 2> "$work/build-${n}x.err" || { cat "$work/build-${n}x.err"; exit 1; }
  grep -vE '^\s' "$work/build-${n}x.err" | grep -v '^Command being timed'
  grep -E 'Elapsed \(wall|Maximum resident' "$work/build-${n}x.err" | sed 's/^\s*/  process: /'
  runs+=("$n")
done
python3 - "$work" "${runs[@]}" <<'PY'
import json, re, sys
work, runs = sys.argv[1], sys.argv[2:]
table, combined = {}, {}
for n in runs:
    j = json.load(open(f"{work}/bench-{n}x.json"))
    err = open(f"{work}/build-{n}x.err").read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err).group(1)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    parts = [float(p) for p in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    j["process"] = {"wall_s": seconds, "peak_rss_mb": rss}
    combined[f"{n}x"] = j
    for s in j["stages"]:
        table.setdefault(s["stage"], {})[n] = s["wall_s"]
    table.setdefault("whole process", {})[n] = seconds
print("\nwall seconds per stage" + "".join(f"{n + 'x':>10}" for n in runs))
for stage, by in table.items():
    print(f"{stage:<22}" + "".join(f"{by.get(n, 0):>10.3f}" for n in runs))
print(f"{'peak RSS MB':<22}" + "".join(f"{combined[n + 'x']['process']['peak_rss_mb']:>10.0f}" for n in runs))
print(f"{'movies':<22}" + "".join(f"{combined[n + 'x']['recommend']['movies']:>10}" for n in runs))
print(f"{'top-k sum df^2':<22}" + "".join(f"{combined[n + 'x']['recommend']['pair_updates']:>10.3g}" for n in runs))
json.dump(combined, open(f"{work}/bench.json", "w"), indent=2)
print(f"\nmachine-readable: {work}/bench.json")
PY
echo "== recommendation quality on $data"
"$bin" eval --data "$data" --json "$work/eval.json"
