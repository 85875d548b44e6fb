#!/usr/bin/env bash
# Code levels through the codec (issue 11): for a VQ-VAE with levels, its level-1 prior (gated PixelCNN
# on 32 x 32 crops of its code grids, as photo-bsds-f4-gated) and its checkerboard level prior, then the
# true coded rate and PSNR of every level count on valid (experiments/levels.sh prepare).
# Usage: experiments/levels-codec.sh <vqvae.vqm> <name>   Environment: VQZ, OUT, THREADS, PRIOR_STEPS, LEVEL_PRIOR_STEPS,
# LEVEL_PRIOR_EVAL (0: no held-out evaluation while the level prior trains), MAX_LEVELS, PRIOR_INIT and
# LEVEL_PRIOR_INIT (fine-tune these priors instead of training from scratch: `--init`, no warm-up, lr 3e-4;
# docs/levels.md §5 "The grown model through the codec" used 200 and 600 steps).
# Resumable: each step is skipped when its output exists; trainings resume from their checkpoints.
set -euo pipefail
cd "$(dirname "$0")/.."
VQZ=${VQZ:-"dotnet runs/bin/vqz.dll"}
OUT=${OUT:-runs/levels}
THREADS=${THREADS:-1}
vqvae=$1 name=$2
dir="$OUT/codec-$name"
mkdir -p "$dir"
start=(--arch gated-pixelcnn --warmup 50); [ -n "${PRIOR_INIT:-}" ] && start=(--init "$PRIOR_INIT" --warmup 0 --lr 3e-4)
levelstart=(--warmup 50); [ -n "${LEVEL_PRIOR_INIT:-}" ] && levelstart=(--init "$LEVEL_PRIOR_INIT" --warmup 0 --lr 3e-4)

prior="$dir/$name-gated.vqp"
if [ ! -f "$prior" ]; then
  resume=(); [ -f "$prior.ckpt" ] && resume=(--resume)
  $VQZ train prior --vqvae "$vqvae" --data "$OUT/data/train" --grid-crop 32 --batch 32 \
    --epochs 100000 --max-steps "${PRIOR_STEPS:-500}" "${start[@]}" --seed 1 --threads "$THREADS" --checkpoint-every 50 \
    --log-every 25 --name "$name-gated" --out "$prior" "${resume[@]}"
fi

levelprior="$dir/$name-levels.vql"
if [ ! -f "$levelprior" ]; then
  resume=(); [ -f "$levelprior.ckpt" ] && resume=(--resume)
  # The held-out evaluation after every epoch (11 steps here) costs about 2.5 minutes of 2 cores on the 40
  # valid photos, ten times the epoch's training: LEVEL_PRIOR_EVAL=0 leaves it out (the codec's true rates
  # on valid, below, are the measure that counts).
  evaluation=(--eval-data "$OUT/data/valid"); [ "${LEVEL_PRIOR_EVAL:-1}" = 0 ] && evaluation=()
  $VQZ train level-prior --vqvae "$vqvae" --data "$OUT/data/train" "${evaluation[@]}" --crop 64 --batch 32 \
    --epochs 100000 --max-steps "${LEVEL_PRIOR_STEPS:-500}" "${levelstart[@]}" --seed 1 --threads "$THREADS" --checkpoint-every 50 \
    --log-every 25 --name "$name-levels" --out "$levelprior" "${resume[@]}"
fi

# Decoding finds models by digest among the model folder's files, so the VQ-VAE goes into the folder too.
cp -p "$vqvae" "$dir/"
vqvae="$dir/$(basename "$vqvae")"

# The rate knob: the presets of this folder send 1 (low), 2 (medium), 3 (high) and 4 (max) levels, with
# prior tiles of 32 x 32 codes (as the shipped high preset); measured on valid against WebP and AVIF.
# (Presets name the model files by path, so the names recorded in them do not matter.)
cat > "$dir/presets.json" <<JSON
{ "presets": [
  { "quality": "low", "vqvae": "$vqvae", "prior": "$prior", "tileSide": 32, "levels": 1, "levelPrior": "$levelprior" },
  { "quality": "medium", "vqvae": "$vqvae", "prior": "$prior", "tileSide": 32, "levels": 2, "levelPrior": "$levelprior" },
  { "quality": "high", "vqvae": "$vqvae", "prior": "$prior", "tileSide": 32, "levels": 3, "levelPrior": "$levelprior" },
  { "quality": "max", "vqvae": "$vqvae", "prior": "$prior", "tileSide": 32, "levels": ${MAX_LEVELS:-4}, "levelPrior": "$levelprior" }
] }
JSON
[ -f "$dir/valid-rd.json" ] || $VQZ eval codec --model-dir "$dir" --data "$OUT/data/valid" --quality low,medium,high,max \
    --standard webp,avif --threads "$THREADS" --json "$dir/valid-rd.json" --csv "$dir/valid-rd.csv"
