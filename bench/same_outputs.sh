#!/usr/bin/env bash
# Builds every fixture and 1,000 generated posts with two versions of repurpose and says
# whether the output trees are byte for byte the same, for a change that must not alter a
# byte (manifest.json is left out: it records source times and paths). See docs/benchmarks.md.
#
#   bash bench/same_outputs.sh BEFORE AFTER
#     BEFORE, AFTER: a repurpose binary (a path to an executable file), or a git revision of
#     this repository, built here in release (e.g. main, aa5af40, HEAD).
#   bash bench/same_outputs.sh main target/release/repurpose    main against the work tree's build
#   options: --posts N (1000)  --seed S (42)  --post-size small|medium|large (medium)  --keep
#
# Exit codes: 0 identical, 1 different (or a build failed), 2 a missing tool or a usage error.
set -euo pipefail
trap 'echo "same_outputs.sh: failed at line $LINENO" >&2' ERR

cd "$(dirname "$0")/.."
root=$PWD

posts=1000
seed=42
corpus_size=medium
keep=0
versions=()

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
}

while (($#)); do
  case $1 in
    --posts) posts=${2:?--posts needs a number}; shift ;;
    --seed) seed=${2:?--seed needs a number}; shift ;;
    --post-size) corpus_size=${2:?--post-size needs small, medium or large}; shift ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "same_outputs.sh: unknown option \`$1\`" >&2; usage >&2; exit 2 ;;
    *) versions+=("$1") ;;
  esac
  shift
done
if ((${#versions[@]} != 2)); then
  echo "same_outputs.sh: give two versions, BEFORE and AFTER" >&2
  usage >&2
  exit 2
fi
[[ $posts =~ ^[1-9][0-9]*$ ]] || { echo "same_outputs.sh: --posts needs a positive number" >&2; exit 2; }

command -v python3 >/dev/null || { echo "same_outputs.sh: python3 is needed to generate the posts" >&2; exit 2; }
generator=${GEN_CORPUS:-$root/../shared/bench/gen_corpus.py}
if [[ ! -f $generator ]]; then
  echo "same_outputs.sh: no corpus generator at $generator (set GEN_CORPUS=path/to/gen_corpus.py)" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/repurpose-same.XXXXXX")
if ((keep)); then
  echo "== keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

# binary NAME VERSION: the path of VERSION's binary, building a git revision into
# $tmp/NAME first. Revisions share one target folder, so the second builds only the crate.
binary() {
  local name=$1 version=$2
  if [[ -f $version && -x $version ]]; then
    (cd "$(dirname "$version")" && echo "$PWD/$(basename "$version")")
    return
  fi
  local commit
  if ! commit=$(git -C "$root" rev-parse --verify --quiet "$version^{commit}"); then
    echo "same_outputs.sh: \`$version\` is neither an executable file nor a git revision" >&2
    exit 2
  fi
  echo "== building $version (${commit:0:7}) in release" >&2
  mkdir "$tmp/$name-src"
  git -C "$root" archive "$commit" | tar -x -C "$tmp/$name-src"
  # Fresh times: cargo finds a crate up to date by comparing its files' times with its last
  # build in the shared target folder, and tar gives them the commit's time.
  find "$tmp/$name-src" -type f -exec touch {} +
  CARGO_TARGET_DIR=$root/target/same-outputs \
    cargo build --release --quiet --locked --bin repurpose --manifest-path "$tmp/$name-src/Cargo.toml" >&2
  cp "$root/target/same-outputs/release/repurpose" "$tmp/$name-bin"
  echo "$tmp/$name-bin"
}

before=$(binary before "${versions[0]}") || exit $?
after=$(binary after "${versions[1]}") || exit $?

echo "== generating $posts $corpus_size posts (seed $seed)"
python3 "$generator" "$tmp/corpus" "$posts" --seed "$seed" --size "$corpus_size" >/dev/null
cp -R "$root/fixtures" "$tmp/fixtures"

# build NAME BINARY: both inputs built into $tmp/NAME/, run there so that no templates/
# folder or repurpose.yaml is picked up: each binary uses its own built-in venues.
build() {
  local name=$1 bin=$2 input
  mkdir "$tmp/$name"
  for input in corpus fixtures; do
    if ! (cd "$tmp/$name" && "$bin" build "../$input" -o "out-$input" -q); then
      echo "same_outputs.sh: $name (\`$bin\`) failed to build $input" >&2
      exit 1
    fi
  done
}
echo "== building the fixtures and the posts with each"
build before "$before"
build after "$after"

different=0
for input in corpus fixtures; do
  if ! diff -r -q -x manifest.json "$tmp/before/out-$input" "$tmp/after/out-$input" >"$tmp/diff-$input"; then
    different=1
    echo "$input: $(wc -l <"$tmp/diff-$input") file(s) differ or exist on one side only, e.g.:"
    head -n 10 "$tmp/diff-$input" | sed 's/^/  /'
  fi
done
if ((different)); then
  ((keep)) || echo "(run again with --keep to look at the trees)"
  exit 1
fi
echo "identical"
