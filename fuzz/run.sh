#!/usr/bin/env bash
# Fuzz one target of fuzz/VqVae.Codec.Fuzz with AFL++ for a number of minutes (fuzz/README.md).
#
#   fuzz/run.sh <reader|decoder|decode|image> <minutes>
#
# Publishes the harness, instruments the project's assemblies with SharpFuzz (local dotnet tool,
# fuzz/dotnet-tools.json), builds a seed corpus, and runs afl-fuzz at nice 19 without its UI.
# Findings go to fuzz/out/<target>/ (git-ignored); running again resumes that session. Prints
# AFL++'s own figures (fuzzer_stats) at the end. Exit code 1 when crashes or hangs were saved.
set -euo pipefail

target="${1:-}"
minutes="${2:-}"
case "$target" in reader|decoder|decode|image) ;; *) echo "usage: fuzz/run.sh <reader|decoder|decode|image> <minutes>" >&2; exit 2 ;; esac
[[ "$minutes" =~ ^[0-9]+$ ]] || { echo "minutes must be a whole number" >&2; exit 2; }

fuzz="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$fuzz")"
publish="$fuzz/publish/$target"
out="$fuzz/out/$target"
findings="$out/findings"
seeds="$out/seeds"

if ! command -v afl-fuzz > /dev/null; then
  if [[ $EUID -eq 0 ]]; then
    apt-get update -qq && apt-get install -y -qq afl++ > /dev/null
  else
    echo "afl-fuzz not found: install AFL++ (Debian: apt-get install afl++)" >&2; exit 3
  fi
fi

# 1. Publish (fresh copies of the project's assemblies, so they can be instrumented again).
rm -f "$publish"/VqVae.Codec*.dll
nice -n 10 dotnet publish "$fuzz/VqVae.Codec.Fuzz/VqVae.Codec.Fuzz.csproj" -c Release -o "$publish" -v quiet -nologo

# 2. Instrument the code under test (not the harness; third-party assemblies only for image, whose
#    decoding is StbImageSharp's).
(cd "$fuzz" && dotnet tool restore > /dev/null)
assemblies=(VqVae.Codec.Format.dll VqVae.Codec.dll)
[[ "$target" == decode ]] && assemblies+=(VqVae.Codec.Models.dll)
[[ "$target" == image ]] && assemblies=(VqVae.Codec.Models.dll StbImageSharp.dll)
for dll in "${assemblies[@]}"; do
  (cd "$fuzz" && dotnet tool run sharpfuzz "$publish/$dll" > /dev/null)
done
harness=(dotnet "$publish/VqVae.Codec.Fuzz.dll" "$target")
# The decode target also knows the golden models, so the golden files among its seeds (those with code
# levels included) decode past the model lookup (TinyModels.cs); afl-fuzz passes this on to its children.
export VQZ_FUZZ_MODEL_DIR="$repo/tests/data/golden"

# 3. Seeds: the golden files (and kept regressions) for the reader and the full decode; generated
#    seeds for the decoder, for code levels (reader) and for the tiny models of the full decode.
mkdir -p "$out"
rm -rf "$seeds"
mkdir -p "$seeds"
case "$target" in
  reader)
    cp "$repo"/tests/data/golden/*.vqz "$seeds"/
    cp "$repo"/tests/data/regressions/reader-*.vqz "$seeds"/ 2> /dev/null || true
    nice -n 10 "${harness[@]}" --seeds "$seeds" ;;
  decoder)
    nice -n 10 "${harness[@]}" --seeds "$seeds" ;;
  decode)
    cp "$repo"/tests/data/golden/*.vqz "$seeds"/
    cp "$repo"/tests/data/regressions/decode-*.vqz "$seeds"/ 2> /dev/null || true
    nice -n 10 "${harness[@]}" --seeds "$seeds" ;;
  image)
    cp "$repo"/samples/cifar10-*.png "$seeds"/
    nice -n 10 "${harness[@]}" --seeds "$seeds" ;;
esac

# 4. Fuzz. Timeouts are wall-clock: an input costs a millisecond or so of CPU (a full decode a few),
#    but at nice 19 on a machine busy with other work a process can get 1/30 of a core or less, and a
#    restarted .NET child needs seconds; 2 s gave false hangs there. Real hangs still show.
case "$target" in
  reader) timeout_ms=20000; dict=(-x "$fuzz/vqz.dict") ;;
  decoder) timeout_ms=20000; dict=() ;;
  decode) timeout_ms=60000; dict=(-x "$fuzz/vqz.dict") ;;
  image) timeout_ms=20000; dict=() ;;
esac
input=(-i "$seeds")
[[ -f "$findings/default/fuzzer_stats" ]] && input=(-i -)   # resume the previous session

set +e
AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 \
AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=120000 AFL_AUTORESUME=1 \
  nice -n 19 afl-fuzz "${input[@]}" -o "$findings" -t "$timeout_ms" -m none -V $((minutes * 60)) \
  "${dict[@]}" -- "${harness[@]}" > "$out/afl.log" 2>&1
status=$?
set -e

stats="$findings/default/fuzzer_stats"
if [[ ! -f "$stats" ]]; then
  echo "afl-fuzz did not start (exit $status); see $out/afl.log:" >&2
  tail -n 20 "$out/afl.log" >&2
  exit 1
fi
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|saved_crashes|saved_hangs|bitmap_cvg) ' "$stats"
crashes=$(awk '$1 == "saved_crashes" { print $3 }' "$stats")
hangs=$(awk '$1 == "saved_hangs" { print $3 }' "$stats")
if [[ "$crashes" != 0 || "$hangs" != 0 ]]; then
  echo "crashes or hangs saved in $findings/default/{crashes,hangs}; replay them with:" >&2
  echo "  dotnet $publish/VqVae.Codec.Fuzz.dll $target --replay $findings/default/crashes $findings/default/hangs" >&2
  exit 1
fi
