#!/usr/bin/env bash
# Times `repurpose build` against the floor program (examples/floor.rs: pulldown-cmark parse,
# eight HTML renders and eight plain writes per post) on generated posts, on this machine in
# this run, and checks the performance targets. See docs/benchmarks.md.
#
#   bash bench/compare.sh            1,000 and 10,000 posts (5 and 3 repeats), one-post latency
#   bash bench/compare.sh --quick    100 and 1,000 posts, 1 repeat (the CI smoke)
#   bash bench/compare.sh --images   1,000 posts with a local 800x600 PNG each: no-op / cold
#   options: --sizes 500,5000  --repeats N  --post-size small|medium|large  --seed S
#            --strict (exit 3 when a target fails)
#   TMPDIR=/dev/shm bash bench/compare.sh   posts and outputs in memory: no disk in the figures
#
# Exit codes: 0 measured (targets PASS or FAIL), 1 a run failed or wrote the wrong files,
# 2 a missing tool or a usage error, 3 a target failed under --strict.
set -euo pipefail
trap 'echo "compare.sh: failed at line $LINENO" >&2' ERR

cd "$(dirname "$0")/.."
root=$PWD

sizes=(1000 10000)
repeats=""
corpus_size=medium
seed=42
strict=0
quick=0
latency_runs=20
images=0
sizes_given=0
files_per_post=8
floor_files_per_post=8

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

while (($#)); do
  case $1 in
    --quick) quick=1; sizes=(100 1000); repeats=1 ;;
    --images) images=1 ;;
    --sizes) IFS=, read -r -a sizes <<<"${2:?--sizes needs a list like 1000,10000}"; sizes_given=1; shift ;;
    --repeats) repeats=${2:?--repeats needs a number}; shift ;;
    --post-size) corpus_size=${2:?--post-size needs small, medium or large}; shift ;;
    --seed) seed=${2:?--seed needs a number}; shift ;;
    --strict) strict=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option \`$1\`" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
# --images: posts with a local image each, 1,000 of them unless --sizes says otherwise; each
# writes its image once more (out/<slug>/media/), which the floor does not.
if ((images)); then
  ((sizes_given)) || sizes=(1000)
  files_per_post=9
fi
for n in "${sizes[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: \`$n\` is not a number of posts" >&2; exit 2; }
done
[[ -z $repeats || $repeats =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --repeats needs a positive number" >&2; exit 2; }

# ---- tools ---------------------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]] || ! /usr/bin/time -v true >/dev/null 2>&1; then
  echo "compare.sh: GNU time is needed at /usr/bin/time (for peak memory, \`time -v\`)." >&2
  echo "  install it with: apt-get install time   (Debian/Ubuntu; as root or with sudo)" >&2
  exit 2
fi
command -v python3 >/dev/null || { echo "compare.sh: python3 is needed to generate the posts" >&2; exit 2; }
generator=${GEN_CORPUS:-$root/../shared/bench/gen_corpus.py}
if [[ ! -f $generator ]]; then
  echo "compare.sh: no corpus generator at $generator (set GEN_CORPUS=path/to/gen_corpus.py)" >&2
  exit 2
fi

echo "== building release binaries"
# One command: the example pulls in the dev-dependencies, so the binary is resolved with
# the features the release tests use and .ci/run's release build is reused, not redone.
cargo build --release --quiet --bin repurpose --example floor
target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
repurpose=$target_dir/release/repurpose
floor=$target_dir/release/examples/floor

tmp=$(mktemp -d "${TMPDIR:-/tmp}/repurpose-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Runs happen in here, so a templates/ folder or repurpose.yaml in the repo is not picked
# up: every run uses the built-in venues only.
cd "$tmp"

# ---- helpers -------------------------------------------------------------------------------
# median of the numbers given as arguments
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# largest of the numbers given as arguments
maximum() {
  printf '%s\n' "$@" | sort -g | tail -n 1
}
# awk arithmetic: calc FORMAT EXPRESSION
calc() {
  awk "BEGIN { printf \"$1\", $2 }"
}
# microseconds since the epoch, without starting a process when bash has EPOCHREALTIME
now_us() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    echo "${EPOCHREALTIME/[.,]/}"
  else
    date +%s%6N
  fi
}

# timed NAME OUT -- COMMAND...: runs COMMAND under /usr/bin/time -v with stdout discarded and
# stderr kept in $tmp/NAME.err; sets $secs (wall time), $cpu (user + system seconds) and
# $rss_kib (peak RSS).
timed() {
  local name=$1 out=$2
  shift 3
  local log=$tmp/$name.err tv=$tmp/$name.time start end rc=0
  sync # no writeback of the previous run's files during this one
  start=$(now_us)
  /usr/bin/time -v -o "$tv" "$@" >/dev/null 2>"$log" || rc=$?
  end=$(now_us)
  if ((rc != 0)); then
    echo "compare.sh: \`${1##*/}\` exited with $rc (0 means every post was built); its errors:" >&2
    grep -E '^(error|warning):' "$log" | head -n 20 >&2 || tail -n 20 "$log" >&2
    local failed
    failed=$(grep -c '^error:' "$log" || true)
    echo "  ($failed line(s) starting with \`error:\` in all)" >&2
    exit 1
  fi
  secs=$(calc '%.4f' "($end - $start) / 1000000")
  rss_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { t += $2 } END { printf "%.2f", t }' "$tv")
  local per=$files_per_post
  [[ $name != *floor* ]] || per=$floor_files_per_post
  check_files "$out" "$n_posts" "$name" "$per"
}

# check_files OUT N NAME [PER]: OUT must hold exactly PER (default $files_per_post) files in
# each of N post folders (with --images, media/ is one of them)
check_files() {
  local per=${4:-$files_per_post} want got
  want=$(($2 * per))
  got=$(find "$1" -mindepth 2 -type f | wc -l)
  if ((got != want)); then
    echo "compare.sh: $3 wrote $got files under $1, expected $want ($per per post for $2 posts)" >&2
    exit 1
  fi
}

# link_posts N DIR: hard links to post-00001.md … the Nth post of the generated corpus in DIR
# (with --images, and to post-00001.png … their images)
link_posts() {
  seq -f "$all/post-%05g.md" 1 "$1" | xargs ln -t "$2"
  if ((images)); then
    seq -f "$all/post-%05g.png" 1 "$1" | xargs ln -t "$2"
  fi
}

# add_images DIR: beside each post-NNNNN.md in DIR, post-NNNNN.png (800x600, a gradient whose
# blue is the post's number, so no two are alike), and a reference to it at the post's end
add_images() {
  python3 - "$1" <<'EOF'
import struct, sys, zlib
from pathlib import Path

width, height = 800, 600

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

# Each row with PNG filter 1 (Sub): red rises across the row, green down the rows, blue is
# the post's; after the first pixel a row is the same run of small steps.
red = [x * 255 // (width - 1) for x in range(width)]
steps = b"".join(bytes(((red[x] - red[x - 1]) & 255, 0, 0)) for x in range(1, width))
for post in sorted(Path(sys.argv[1]).glob("post-*.md")):
    number = int(post.stem.split("-")[1])
    rows = b"".join(b"\x01" + bytes((red[0], y * 255 // (height - 1), number % 256)) + steps
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    post.with_suffix(".png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                                         + chunk(b"IDAT", zlib.compress(rows, 6))
                                         + chunk(b"IEND", b""))
    with post.open("a", encoding="utf-8") as text:
        text.write(f"\n\n![A gradient for post {number}]({post.stem}.png)\n")
EOF
}

# corpus N: a folder with the first N posts of the largest corpus (post i depends only on the
# seed, i and the size, so these are the posts a corpus of N would have)
corpus() {
  local dir=$tmp/posts-$1
  if [[ ! -d $dir ]]; then
    mkdir "$dir"
    link_posts "$1" "$dir"
  fi
  echo "$dir"
}

# ---- corpus --------------------------------------------------------------------------------
largest=$(maximum "${sizes[@]}")
all=$tmp/posts-all
echo "== generating $largest $corpus_size posts (seed $seed)"
python3 "$generator" "$all" "$largest" --seed "$seed" --size "$corpus_size"
if ((images)); then
  echo "== adding an 800x600 PNG to each post"
  add_images "$all"
fi

echo "== machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   output on $(df -PT "$tmp" | awk 'NR == 2 { print $2 " (" $1 ")" }'), in $tmp"
echo "   repurpose $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)'), floor threads: ${RAYON_NUM_THREADS:-$(nproc)}"

# warm-up: binaries and their libraries in the page cache
n_posts=1
warm=$tmp/posts-warm
mkdir "$warm"
link_posts 1 "$warm"
timed warm-floor "$tmp/out-warm-floor" -- "$floor" "$warm" "$tmp/out-warm-floor"
timed warm-repurpose "$tmp/out-warm" -- "$repurpose" build "$warm" -o "$tmp/out-warm"

# ---- sizes ---------------------------------------------------------------------------------
declare -A floor_s repurpose_s noop_s floor_rss repurpose_rss noop_rss
for n in "${sizes[@]}"; do
  n_posts=$n
  posts=$(corpus "$n")
  reps=${repeats:-$((n <= 2000 ? 5 : 3))}
  echo "== $n posts, $reps repeat(s)"
  fs=() rs=() ns=() frss=() rrss=() nrss=()
  for ((i = 1; i <= reps; i++)); do
    out=$tmp/out-floor
    rm -rf "$out"
    timed "floor-$n" "$out" -- "$floor" "$posts" "$out"
    fs+=("$secs") frss+=("$rss_kib") fcpu=$cpu
    rm -rf "$out"

    out=$tmp/out
    rm -rf "$out"
    timed "cold-$n" "$out" -- "$repurpose" build "$posts" -o "$out"
    rs+=("$secs") rrss+=("$rss_kib") rcpu=$cpu
    timed "noop-$n" "$out" -- "$repurpose" build "$posts" -o "$out"
    ns+=("$secs") nrss+=("$rss_kib")
    printf '   run %d: floor %.2fs, repurpose cold %.2fs, no-op %.2fs (CPU seconds: %s, %s, %s)\n' \
      "$i" "${fs[-1]}" "${rs[-1]}" "${ns[-1]}" "${fcpu}" "${rcpu}" "${cpu}"
  done
  rm -rf "$tmp/out"
  floor_s[$n]=$(median "${fs[@]}") repurpose_s[$n]=$(median "${rs[@]}") noop_s[$n]=$(median "${ns[@]}")
  floor_rss[$n]=$(maximum "${frss[@]}") repurpose_rss[$n]=$(maximum "${rrss[@]}") noop_rss[$n]=$(maximum "${nrss[@]}")
done

# ---- one post, whole process ---------------------------------------------------------------
# (not with --images: its target is for a post without images, as the floor's)
((images)) && latency_runs=0
((latency_runs == 0)) || echo "== one post, start to exit, $latency_runs runs each"
n_posts=1
lat=() flat=()
for ((i = 1; i <= latency_runs; i++)); do
  rm -rf "$tmp/out-one" "$tmp/out-one-floor"
  sync
  start=$(now_us)
  "$repurpose" build "$warm" -o "$tmp/out-one" >/dev/null 2>"$tmp/one.err" || {
    echo "compare.sh: repurpose build of one post failed:" >&2
    cat "$tmp/one.err" >&2
    exit 1
  }
  end=$(now_us)
  lat+=("$(calc '%.3f' "($end - $start) / 1000")")
  start=$(now_us)
  "$floor" "$warm" "$tmp/out-one-floor" 2>/dev/null
  end=$(now_us)
  flat+=("$(calc '%.3f' "($end - $start) / 1000")")
done
if ((latency_runs)); then
  check_files "$tmp/out-one" 1 "repurpose (one post)"
  one_ms=$(median "${lat[@]}")
  one_floor_ms=$(median "${flat[@]}")
fi

# ---- report --------------------------------------------------------------------------------
mib() { calc '%.1f' "$1 / 1024"; }
echo
echo "Medians of wall time; peak RSS is the largest of the repeats. Cold: empty output folder."
printf '%8s %9s %9s %10s %8s %10s %9s %10s %10s %10s\n' \
  posts "floor s" "cold s" cold/floor "no-op s" no-op/cold "posts/s" "floor MiB" "cold MiB" "no-op MiB"
for n in "${sizes[@]}"; do
  printf '%8d %9.3f %9.3f %9.2fx %8.3f %9.1f%% %9.0f %10s %10s %10s\n' "$n" \
    "${floor_s[$n]}" "${repurpose_s[$n]}" "$(calc '%.4f' "${repurpose_s[$n]} / ${floor_s[$n]}")" \
    "${noop_s[$n]}" "$(calc '%.4f' "100 * ${noop_s[$n]} / ${repurpose_s[$n]}")" \
    "$(calc '%.4f' "$n / ${repurpose_s[$n]}")" \
    "$(mib "${floor_rss[$n]}")" "$(mib "${repurpose_rss[$n]}")" "$(mib "${noop_rss[$n]}")"
done
if ((latency_runs)); then
  printf 'one post, all built-in venues, start to exit: repurpose %.1f ms, floor %.1f ms (median of %d)\n' \
    "$one_ms" "$one_floor_ms" "$latency_runs"
fi

small=${sizes[0]}
big=$largest
failed=0
# target LABEL VALUE LIMIT-TEXT PASSES(0/1)
target() {
  local verdict=PASS
  if (($4 == 0)); then verdict=FAIL; failed=$((failed + 1)); fi
  printf '%-52s %12s %14s   %s\n' "$1" "$2" "$3" "$verdict"
}
pass() { calc '%d' "($1) ? 1 : 0"; }
echo
if ((images)); then
  # Only the incremental target: the floor writes no images, the other targets are for posts
  # without them.
  for n in "${sizes[@]}"; do
    printf 'posts with an image each, %d posts: cold %.3f s, no-op %.3f s, no-op/cold %.1f%%\n' \
      "$n" "${repurpose_s[$n]}" "${noop_s[$n]}" "$(calc '%.4f' "100 * ${noop_s[$n]} / ${repurpose_s[$n]}")"
  done
  echo
  printf '%-52s %12s %14s   %s\n' target measured limit result
  for n in "${sizes[@]}"; do
    r=$(calc '%.1f' "100 * ${noop_s[$n]} / ${repurpose_s[$n]}")
    target "no-op / cold, $n posts with an image each" "${r}%" "< 5%" "$(pass "$r < 5")"
  done
  echo
  if ((failed)); then
    echo "$failed target(s) not met."
    if ((strict)); then exit 3; fi
  else
    echo "every target met."
  fi
  exit 0
fi
printf '%-52s %12s %14s   %s\n' target measured limit result
for n in "${sizes[@]}"; do
  r=$(calc '%.2f' "${repurpose_s[$n]} / ${floor_s[$n]}")
  target "cold build / floor, $n posts" "${r}x" "<= 1.30x" "$(pass "$r <= 1.30")"
done
r=$(calc '%.1f' "100 * ${noop_s[$big]} / ${repurpose_s[$big]}")
target "no-op rebuild / cold build, $big posts" "${r}%" "< 5%" "$(pass "$r < 5")"
# The larger of the cold build and the no-op rebuild: both are builds of these posts.
r=$(mib "$(maximum "${repurpose_rss[$big]}" "${noop_rss[$big]}")")
note=""
((big == 10000)) || note=" (target is for 10000)"
target "peak RSS (cold or no-op), $big posts$note" "${r} MiB" "< 64 MiB" "$(pass "$r < 64")"
target "one post, all venues, start to exit" "$(calc '%.1f' "$one_ms") ms" "< 15 ms" "$(pass "$one_ms < 15")"
if ((big > small)); then
  r=$(calc '%.2f' "${repurpose_s[$big]} / ${repurpose_s[$small]}")
  limit=$(calc '%.1f' "1.1 * $big / $small")
  target "linearity: cold $big / cold $small posts" "${r}x" "<= ${limit}x" "$(pass "$r <= $limit")"
fi
echo
if ((failed)); then
  echo "$failed target(s) not met."
  if ((strict)); then exit 3; fi
else
  echo "every target met."
fi
if ((quick)); then
  echo "(--quick: 1 repeat on small corpora, a smoke run; run without --quick for the figures)"
fi
