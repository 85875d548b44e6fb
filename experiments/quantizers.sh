#!/usr/bin/env bash
# The quantizer study of docs/experiments.md: every quantizer of the thesis trained with the same budget
# on CIFAR-10 train, then evaluated on test-1000 (Stage 1 figures, bits per code under the unigram and
# the gated PixelCNN, and the codec's bpp and PSNR). Resumable: finished steps are skipped, training
# resumes from its checkpoint. Usage:
#   experiments/quantizers.sh [run-name ...]     (default: every run; VQZ, DATA, OUT, EPOCHS, PRIOR_EPOCHS, THREADS override)
set -euo pipefail
cd "$(dirname "$0")/.."
VQZ=${VQZ:-"dotnet runs/bin4/vqz.dll"}
DATA=${DATA:-../shared/data/cifar10}
OUT=${OUT:-runs/experiments}
EPOCHS=${EPOCHS:-2}
PRIOR_EPOCHS=${PRIOR_EPOCHS:-2}
# One smaller gated PixelCNN for every run (the same for all, so bits per code compare quantizers, not priors).
PRIOR_OPTS=${PRIOR_OPTS:-"--channels 32 --layers 4 --head-channels 64"}
THREADS=${THREADS:-1}

# name | quantizer options (alpha 0.15, eta 1 unless stated, as the thesis's neural-gas runs)
RUNS=(
  "kmeans|--quantizer kmeans --alpha 0.15"
  "ema|--quantizer ema --alpha 0.15"
  "ng-l3-a015|--quantizer neural-gas --lambda-start 3 --alpha 0.15"
  "ng-l3-a010|--quantizer neural-gas --lambda-start 3 --alpha 0.10"
  "ng-l10-a015|--quantizer neural-gas --lambda-start 10 --alpha 0.15"
  "ng-l10-a010|--quantizer neural-gas --lambda-start 10 --alpha 0.10"
  "fcm|--quantizer fcm --alpha 0.15"
  "fcm-membership|--quantizer fcm-membership --alpha 0.15"
  "fcm-normalized|--quantizer fcm-normalized --alpha 0.15"
  "ng-stochastic-1|--quantizer neural-gas --lambda-start 3 --alpha 0.15 --stochastic 1"
  "ng-stochastic-2|--quantizer neural-gas --lambda-start 3 --alpha 0.15 --stochastic 2"
  "ng-stochastic-3|--quantizer neural-gas --lambda-start 3 --alpha 0.15 --stochastic 3"
)

run() {
  local name=$1 options=$2 dir="$OUT/$1"
  mkdir -p "$dir"
  echo "== $name: $options"
  if [ ! -f "$dir/$name.vqm" ]; then
    resume=(); [ -f "$dir/$name.vqm.ckpt" ] && resume=(--resume)
    $VQZ train vqvae --data "$DATA/train.tar" $options --epochs "$EPOCHS" --seed 1 --threads "$THREADS" \
      --log-every 50 --name "$name" --out "$dir/$name.vqm" "${resume[@]}"
  fi
  [ -f "$dir/vqvae.json" ] || $VQZ eval vqvae --model "$dir/$name.vqm" --data "$DATA/test.tar" --per-folder 100 --threads "$THREADS" --json "$dir/vqvae.json"
  [ -f "$dir/$name-unigram.vqp" ] || $VQZ train prior --vqvae "$dir/$name.vqm" --data "$DATA/train.tar" --arch unigram --out "$dir/$name-unigram.vqp"
  if [ ! -f "$dir/$name-gated.vqp" ]; then
    resume=(); [ -f "$dir/$name-gated.vqp.ckpt" ] && resume=(--resume)
    $VQZ train prior --vqvae "$dir/$name.vqm" --data "$DATA/train.tar" --arch gated-pixelcnn $PRIOR_OPTS --epochs "$PRIOR_EPOCHS" \
      --warmup 200 --threads "$THREADS" --log-every 50 --out "$dir/$name-gated.vqp" "${resume[@]}"
  fi
  [ -f "$dir/prior.json" ] || $VQZ eval prior --vqvae "$dir/$name.vqm" --data "$DATA/test.tar" --per-folder 100 \
      --prior "$dir/$name-unigram.vqp" "$dir/$name-gated.vqp" --json "$dir/prior.json"
  cat > "$dir/presets.json" <<JSON
{ "presets": [ { "quality": "high", "vqvae": "$name", "prior": "$name-gated", "tileSide": 0 } ] }
JSON
  # --model-names never: the files carry the 4-byte models tag only, as files of the built-in models do,
  # so the bpp compares quantizers, not the length of their names.
  [ -f "$dir/codec.json" ] || $VQZ eval codec --data "$DATA/test.tar" --per-folder 100 --quality high --standard none \
      --model-dir "$dir" --model-names never --threads "$THREADS" --json "$dir/codec.json"
}

if [ "${1:-}" = "--one" ]; then          # one run, in its own process so that set -e stops it at the first failure
  for entry in "${RUNS[@]}"; do [ "${entry%%|*}" = "$2" ] && run "$2" "${entry#*|}"; done
  exit 0
fi

wanted=("$@")
for entry in "${RUNS[@]}"; do
  name=${entry%%|*}
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " =~ " $name " ]]; then continue; fi
  # A run that fails (e.g. a loss that becomes NaN) is recorded and the study goes on.
  "$0" --one "$name" || { code=$?; mkdir -p "$OUT/$name"; echo "$name failed with exit code $code" | tee "$OUT/$name/FAILED"; }
done
