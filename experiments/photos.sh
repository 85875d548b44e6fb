#!/usr/bin/env bash
# Which training data serves photos (issue 5), measured on BSDS500 test (200 photos).
#
# Stage 1 (f4): the CIFAR-10 model as shipped (cifar), and the same model fine-tuned for STEPS steps on
#   bsds: random 64 x 64 crops of BSDS500 train + val (300 photos), batch 32;
#   mix:  random 32 x 32 crops of a 50/50 mix of BSDS500 train + val and 1,500 CIFAR-10 train images
#         (150 per class; each of the 300 photos listed 5 times so that half the crops are photos), batch 128
#   (both see 131,072 pixels per step). Stage 2: a gated PixelCNN for each, trained on random 32 x 32
#   crops of the code grids of BSDS500 train + val (32 = the tile side of the high preset).
# Tiling: the shipped f4 pair with prior tiles of 0 (whole grid), 64, 32, 16 and 8 codes (step eval-tiling).
# Low preset (f8): the CIFAR-10 f8 model fine-tuned on DATA_F8 crops, and its prior on 16 x 16 grid crops.
# Each pair is then run as a vqz preset (a model directory with its presets.json) through
# `vqz eval codec` on BSDS500 test, beside the shipped presets.
#
# Resumable: every step is skipped when its output exists, and trainings resume from checkpoints.
# Usage: experiments/photos.sh [step ...]   (default: every step in order; see the case below)
# Environment: VQZ, DATA, OUT, STEPS, PRIOR_STEPS, THREADS, DATA_F8.
set -euo pipefail
cd "$(dirname "$0")/.."
VQZ=${VQZ:-"dotnet runs/bin/vqz.dll"}
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/photos2}
STEPS=${STEPS:-1500}
PRIOR_STEPS=${PRIOR_STEPS:-500}
THREADS=${THREADS:-1}
DATA_F8=${DATA_F8:-bsds}
mkdir -p "$OUT"

prepare() {
  local tv="$OUT/bsds-trainval"
  mkdir -p "$tv"
  [ -d "$tv/train" ] || tar -xf "$DATA/bsds500/train.tar" -C "$tv"
  [ -d "$tv/val" ] || tar -xf "$DATA/bsds500/val.tar" -C "$tv"
  local mix="$OUT/mix"
  if [ ! -d "$mix/cifar" ]; then
    mkdir -p "$mix/tmp" "$mix/cifar"
    tar -xf "$DATA/cifar10/train.tar" -C "$mix/tmp"
    for class in "$mix"/tmp/train/*/; do
      name=$(basename "$class"); mkdir -p "$mix/cifar/$name"
      find "$class" -maxdepth 1 -name '*.jpg' | sort | sed -n 1,150p | xargs cp -t "$mix/cifar/$name/"
    done
    rm -rf "$mix/tmp"
  fi
  for copy in 1 2 3 4 5; do
    [ -e "$mix/bsds-$copy" ] || ln -s "$(realpath "$tv")" "$mix/bsds-$copy"
  done
}

# train_vqvae NAME INIT DATA CROP BATCH DOWNSAMPLING-TAG
train_vqvae() {
  local name=$1 init=$2 data=$3 crop=$4 batch=$5
  [ -f "$OUT/$name.vqm" ] && return
  local resume=(); [ -f "$OUT/$name.vqm.ckpt" ] && resume=(--resume)
  $VQZ train vqvae --data "$data" --crop "$crop" --batch "$batch" --epochs 100000 --max-steps "$STEPS" \
    --init "$init" --quantizer neural-gas --alpha 0.15 --eta 1 --lambda-start 3 \
    --lr 2e-4 --warmup 0 --seed 1 --threads "$THREADS" --log-every 50 --name "$name" --out "$OUT/$name.vqm" "${resume[@]}"
}

# train_prior NAME VQVAE GRID-CROP
train_prior() {
  local name=$1 vqvae=$2 crop=$3
  [ -f "$OUT/$name.vqp" ] && return
  local resume=(); [ -f "$OUT/$name.vqp.ckpt" ] && resume=(--resume)
  $VQZ train prior --vqvae "$vqvae" --data "$OUT/bsds-trainval" --grid-crop "$crop" --arch gated-pixelcnn \
    --batch 32 --epochs 100000 --max-steps "$PRIOR_STEPS" --warmup 50 --seed 1 --threads "$THREADS" \
    --checkpoint-every 50 --log-every 25 --name "$name" --out "$OUT/$name.vqp" "${resume[@]}"
}

# preset DIR QUALITY VQVAE PRIOR TILE: a model directory holding one pair and its preset
preset() {
  local dir="$OUT/presets/$1" quality=$2 vqvae=$3 prior=$4 tile=$5
  mkdir -p "$dir"
  cp -f "$vqvae" "$prior" "$dir/"
  local v p; v=$(basename "$vqvae" .vqm); p=$(basename "$prior" .vqp)
  printf '{ "presets": [ { "quality": "%s", "vqvae": "%s", "prior": "%s", "tileSide": %d } ] }\n' \
    "$quality" "$v" "$p" "$tile" > "$dir/presets.json"
}

eval_codec() {
  local name=$1 quality=$2; shift 2
  [ -f "$OUT/codec-$name-bsds-test.json" ] && return
  $VQZ eval codec --data "$DATA/bsds500/test.tar" "$@" --quality "$quality" --standard none --model-names never \
    --model-dir "$OUT/presets/$name" --threads "$THREADS" --json "$OUT/codec-$name-bsds-test.json" --csv "$OUT/codec-$name-bsds-test.csv"
}

eval_vqvae() {
  local name=$1 model=$2
  [ -f "$OUT/vqvae-$name-bsds-test.json" ] || $VQZ eval vqvae --model "$model" --data "$DATA/bsds500/test.tar" --batch 8 \
    --threads "$THREADS" --json "$OUT/vqvae-$name-bsds-test.json"
  [ -f "$OUT/vqvae-$name-cifar-test1000.json" ] || $VQZ eval vqvae --model "$model" --data "$DATA/cifar10/test.tar" --per-folder 100 \
    --threads "$THREADS" --json "$OUT/vqvae-$name-cifar-test1000.json"
}

step() {
  case $1 in
    prepare) prepare ;;
    stage1-bsds) train_vqvae photo-bsds-f4 models/cifar10-ng-f4.vqm "$OUT/bsds-trainval" 64 32 ;;
    stage1-mix) train_vqvae photo-mix-f4 models/cifar10-ng-f4.vqm "$OUT/mix" 32 128 ;;
    prior-bsds) train_prior photo-bsds-f4-gated "$OUT/photo-bsds-f4.vqm" 32 ;;
    prior-mix) train_prior photo-mix-f4-gated "$OUT/photo-mix-f4.vqm" 32 ;;
    prior-cifar) train_prior photo-cifar-f4-gated models/cifar10-ng-f4.vqm 32 ;;
    stage1-f8) train_vqvae "photo-$DATA_F8-f8" models/cifar10-ng-f8.vqm "$OUT/$( [ "$DATA_F8" = mix ] && echo mix || echo bsds-trainval)" 64 32 ;;
    prior-f8) train_prior "photo-$DATA_F8-f8-gated" "$OUT/photo-$DATA_F8-f8.vqm" 16 ;;
    eval-vqvae)
      eval_vqvae cifar-f4 models/cifar10-ng-f4.vqm
      eval_vqvae bsds-f4 "$OUT/photo-bsds-f4.vqm"
      eval_vqvae mix-f4 "$OUT/photo-mix-f4.vqm" ;;
    eval-codec)
      preset shipped-high high models/cifar10-ng-f4.vqm models/cifar10-ng-f4-gated.vqp 32
      eval_codec shipped-high high
      for p in bsds mix cifar; do
        prior="$OUT/photo-$p-f4-gated.vqp"; vqvae="$OUT/photo-$p-f4.vqm"; [ "$p" = cifar ] && vqvae=models/cifar10-ng-f4.vqm
        if [ -f "$prior" ]; then preset "$p-high" high "$vqvae" "$prior" 32; eval_codec "$p-high" high; else echo "skipped $p-high: no $prior yet"; fi
      done ;;
    eval-codec-f8)
      preset shipped-low low models/cifar10-ng-f8.vqm models/cifar10-ng-f8-gated.vqp 16
      preset "$DATA_F8-low" low "$OUT/photo-$DATA_F8-f8.vqm" "$OUT/photo-$DATA_F8-f8-gated.vqp" 16
      for p in shipped-low "$DATA_F8-low"; do eval_codec "$p" low; done ;;
    eval-tiling)
      # What the prior's tiles cost in bits and buy in time (shipped f4 models, first 50 test photos).
      for side in 0 64 32 16 8; do
        preset "tiles-$side" high models/cifar10-ng-f4.vqm models/cifar10-ng-f4-gated.vqp "$side"
        eval_codec "tiles-$side" high --limit 50
      done ;;
    *) echo "unknown step: $1" >&2; exit 2 ;;
  esac
}

if [ $# -eq 0 ]; then
  set -- prepare stage1-bsds stage1-mix prior-bsds prior-mix prior-cifar stage1-f8 prior-f8 eval-vqvae eval-codec eval-codec-f8
fi
for s in "$@"; do step "$s"; done
