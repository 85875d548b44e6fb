#!/usr/bin/env bash
# The quantizer study of issue 15 (docs/experiments.md §1b): every quantizer trained to convergence in two
# settings, then evaluated on CIFAR-10 test-1000 like experiments/quantizers.sh (Stage 1 figures, bits per
# code under the unigram and a gated PixelCNN, the codec's bpp and PSNR).
#
#   thesis  the thesis's setting: random codebook (no seeding from the encoder), no dead-code restarts,
#           no learning-rate warm-up (--no-init-from-encoder --dead-code-steps 0 --warmup 0)
#   ours    the defaults of `vqz train vqvae`: codebook seeded from the first batch's latents, codes idle
#           for 30 steps re-seeded, a 500-step warm-up (docs/thesis-departures.md §2-4)
#
# Each run trains until the held-out normalised reconstruction error (test-1000, evaluated after every
# epoch) improves by less than PLATEAU (1 %) over an epoch, after at least MIN_EPOCHS (10), at most
# MAX_EPOCHS. Configurations with a figure in the thesis (chapter 6: neural gas lambda 3 / alpha 0.15,
# lambda 3 / alpha 0.10, lambda 10 / alpha 0.15; the membership posterior of eq. 4.6 with alpha 0.08)
# get 3 seeds, the others 1. Runs go one at a time, seed 1 of everything first (both settings), then
# seeds 2 and 3, so a partial study already compares every configuration.
#
# Resumable: a finished step is skipped (its output file exists), training resumes from its checkpoint,
# and a run that fails (e.g. a NaN loss) leaves FAILED in its folder and the study goes on (skipping it
# when resumed, unless RETRY_FAILED=1).
# Output: $OUT/<setting>/<config>-s<seed>/ with <name>.vqm and its .log.jsonl, vqvae.json, prior.json, codec.json.
# Cost (estimated, not measured for this script): an epoch of 50,000 CIFAR-10 images takes about 5 minutes
# of one core (README: `vqz bench train` 260-340 images/s on 2 threads; §1 of the experiments: 2 epochs
# with prior and evaluations in about 20 minutes), so 34 runs of at least 10 epochs are at least ~30
# core-hours before priors and evaluations (about 10 minutes a run). Pick runs with PATTERN, or lower
# MIN_EPOCHS/MAX_EPOCHS, to spend less.
#
# Usage:
#   experiments/quantizer-study.sh [--list] [PATTERN ...]
#     --list     print the runs in order with their full commands and which steps are done; run nothing
#     PATTERN    only runs whose id <setting>/<config>-s<seed> matches a shell pattern, e.g. 'thesis/*',
#                'ours/ng-l3-a015-s2', '*/kmeans-*' (quote it)
#   Environment: VQZ, DATA, OUT, THREADS, MAX_EPOCHS, MIN_EPOCHS, PLATEAU, PRIOR_EPOCHS, PRIOR_OPTS, RETRY_FAILED.
set -euo pipefail
cd "$(dirname "$0")/.."
VQZ=${VQZ:-"dotnet runs/bin4/vqz.dll"}
DATA=${DATA:-../shared/data/cifar10}
OUT=${OUT:-runs/study}
THREADS=${THREADS:-1}
MAX_EPOCHS=${MAX_EPOCHS:-50}
MIN_EPOCHS=${MIN_EPOCHS:-10}
PLATEAU=${PLATEAU:-0.01}
PRIOR_EPOCHS=${PRIOR_EPOCHS:-2}
# One smaller gated PixelCNN for every run (the same for all, so bits per code compare quantizers, not priors).
PRIOR_OPTS=${PRIOR_OPTS:-"--channels 32 --layers 4 --head-channels 64"}

# setting | options of `vqz train vqvae` that make it
SETTINGS=(
  "thesis|--no-init-from-encoder --dead-code-steps 0 --warmup 0"
  "ours|"
)
# config | seeds | quantizer options. eta 1 throughout; alpha 0.15 where the thesis gives none (its neural-gas value).
CONFIGS=(
  "kmeans|1|--quantizer kmeans --alpha 0.15"
  "ng-l3-a015|3|--quantizer neural-gas --lambda-start 3 --alpha 0.15"
  "ng-l3-a010|3|--quantizer neural-gas --lambda-start 3 --alpha 0.10"
  "ng-l10-a015|3|--quantizer neural-gas --lambda-start 10 --alpha 0.15"
  "ng-l10-a010|1|--quantizer neural-gas --lambda-start 10 --alpha 0.10"
  "fcm|1|--quantizer fcm --alpha 0.15"
  "fcm-membership-a008|3|--quantizer fcm-membership --alpha 0.08"
  "fcm-normalized|1|--quantizer fcm-normalized --alpha 0.15"
  "ema|1|--quantizer ema --alpha 0.15"
)
MAX_SEEDS=3

LIST=0
# Runs a step unless its output exists; with --list prints it instead, marked done or to do.
step() {
  local output=$1; shift
  if [ "$LIST" = 1 ]; then
    if [ -e "$output" ]; then echo "  [done] $*"; else echo "  [todo] $*"; fi
  elif [ ! -e "$output" ]; then
    "$@"
  fi
}

run() {   # setting-options config-options setting config seed
  local setting_opts=$1 options=$2 setting=$3 config=$4 seed=$5
  local name="$config-s$seed" dir="$OUT/$setting/$config-s$seed"
  [ "$LIST" = 1 ] || mkdir -p "$dir"
  local resume=(); [ -f "$dir/$name.vqm.ckpt" ] && resume=(--resume)
  # shellcheck disable=SC2086   # the option strings are word lists
  step "$dir/$name.vqm" $VQZ train vqvae --data "$DATA/train.tar" $options $setting_opts --seed "$seed" \
    --epochs "$MAX_EPOCHS" --plateau "$PLATEAU" --min-epochs "$MIN_EPOCHS" --eval-data "$DATA/test.tar" --eval-per-folder 100 \
    --threads "$THREADS" --log-every 50 --name "$name" --out "$dir/$name.vqm" "${resume[@]}"
  step "$dir/vqvae.json" $VQZ eval vqvae --model "$dir/$name.vqm" --data "$DATA/test.tar" --per-folder 100 --threads "$THREADS" --json "$dir/vqvae.json"
  step "$dir/$name-unigram.vqp" $VQZ train prior --vqvae "$dir/$name.vqm" --data "$DATA/train.tar" --arch unigram --out "$dir/$name-unigram.vqp"
  resume=(); [ -f "$dir/$name-gated.vqp.ckpt" ] && resume=(--resume)
  # shellcheck disable=SC2086
  step "$dir/$name-gated.vqp" $VQZ train prior --vqvae "$dir/$name.vqm" --data "$DATA/train.tar" --arch gated-pixelcnn $PRIOR_OPTS \
    --epochs "$PRIOR_EPOCHS" --warmup 200 --threads "$THREADS" --log-every 50 --out "$dir/$name-gated.vqp" "${resume[@]}"
  step "$dir/prior.json" $VQZ eval prior --vqvae "$dir/$name.vqm" --data "$DATA/test.tar" --per-folder 100 \
    --prior "$dir/$name-unigram.vqp" "$dir/$name-gated.vqp" --json "$dir/prior.json"
  if [ "$LIST" = 1 ]; then
    echo "  [....] write $dir/presets.json (high = $name + $name-gated, whole grid)"
  else
    cat > "$dir/presets.json" <<JSON
{ "presets": [ { "quality": "high", "vqvae": "$name", "prior": "$name-gated", "tileSide": 0 } ] }
JSON
  fi
  # --model-names never: the files carry the 4-byte models tag only, so the bpp compares quantizers, not name lengths.
  step "$dir/codec.json" $VQZ eval codec --data "$DATA/test.tar" --per-folder 100 --quality high --standard none \
    --model-dir "$dir" --model-names never --threads "$THREADS" --json "$dir/codec.json"
}

# The plan, in order: "setting config seed" per line.
plan() {
  for ((seed = 1; seed <= MAX_SEEDS; seed++)); do
    for s in "${SETTINGS[@]}"; do
      for c in "${CONFIGS[@]}"; do
        local config=${c%%|*} rest=${c#*|}
        local seeds=${rest%%|*}
        if [ "$seed" -le "$seeds" ]; then echo "${s%%|*} $config $seed"; fi
      done
    done
  done
}

one() {   # setting config seed
  local s c
  for s in "${SETTINGS[@]}"; do [ "${s%%|*}" = "$1" ] || continue
    for c in "${CONFIGS[@]}"; do [ "${c%%|*}" = "$2" ] || continue
      run "${s#*|}" "${c##*|}" "$1" "$2" "$3"
    done
  done
}

if [ "${1:-}" = "--one" ]; then          # one run, in its own process so that set -e stops it at the first failure
  one "$2" "$3" "$4"
  exit 0
fi
if [ "${1:-}" = "--list" ]; then LIST=1; shift; fi

patterns=("$@")
n=0
while read -r setting config seed; do
  id="$setting/$config-s$seed"
  if [ ${#patterns[@]} -gt 0 ]; then
    match=0
    for p in "${patterns[@]}"; do
      # shellcheck disable=SC2053   # the pattern is a glob on purpose
      [[ $id == $p ]] && match=1
    done
    [ "$match" = 1 ] || continue
  fi
  n=$((n + 1))
  if [ "$LIST" = 1 ]; then
    status=todo
    [ -f "$OUT/$id/codec.json" ] && status=done
    [ -f "$OUT/$id/FAILED" ] && status="failed: $(head -n 1 "$OUT/$id/FAILED")"
    echo "$n. $id ($status)"
    one "$setting" "$config" "$seed"
    continue
  fi
  if [ -f "$OUT/$id/FAILED" ] && [ "${RETRY_FAILED:-0}" != 1 ]; then echo "== $n. $id: failed before, skipped (RETRY_FAILED=1 retries)"; continue; fi
  rm -f "$OUT/$id/FAILED"
  echo "== $n. $id"
  # A run that fails (e.g. a loss that becomes NaN) is recorded and the study goes on.
  "$0" --one "$setting" "$config" "$seed" </dev/null || { code=$?; mkdir -p "$OUT/$id"; echo "$id failed with exit code $code" | tee "$OUT/$id/FAILED"; }
done < <(plan)
[ "$n" -gt 0 ] || { echo "no run matches: ${patterns[*]}" >&2; exit 2; }
