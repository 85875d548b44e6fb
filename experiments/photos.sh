#!/usr/bin/env bash
# Which training data serves photos (issue 5, measured on BSDS500 test): the CIFAR-10 model as shipped,
# against the same model fine-tuned on random 64 x 64 crops of BSDS500 train + val. Stage 1 only (the
# fine-tuned model has no prior of its own yet). Resumable. Usage: experiments/photos.sh (VQZ, DATA, OUT, STEPS override)
set -euo pipefail
cd "$(dirname "$0")/.."
VQZ=${VQZ:-"dotnet runs/bin/vqz.dll"}
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/photos}
STEPS=${STEPS:-600}
THREADS=${THREADS:-1}
mkdir -p "$OUT/bsds-trainval"
[ -d "$OUT/bsds-trainval/train" ] || tar -xf "$DATA/bsds500/train.tar" -C "$OUT/bsds-trainval"
[ -d "$OUT/bsds-trainval/val" ] || tar -xf "$DATA/bsds500/val.tar" -C "$OUT/bsds-trainval"

# 400 photos in batches of 32 crops: 12 steps per epoch, so STEPS / 12 epochs.
if [ ! -f "$OUT/bsds-ft-f4.vqm" ]; then
  resume=(); [ -f "$OUT/bsds-ft-f4.vqm.ckpt" ] && resume=(--resume)
  $VQZ train vqvae --data "$OUT/bsds-trainval" --crop 64 --batch 32 --epochs $(( STEPS / 12 )) \
    --init models/cifar10-ng-f4.vqm --quantizer neural-gas --alpha 0.15 --eta 1 --lambda-start 3 \
    --lr 2e-4 --warmup 0 --seed 1 --threads "$THREADS" --log-every 50 --name bsds-ft-f4 --out "$OUT/bsds-ft-f4.vqm" "${resume[@]}"
fi
for m in cifar10-ng-f4:models/cifar10-ng-f4.vqm bsds-ft-f4:$OUT/bsds-ft-f4.vqm; do
  name=${m%%:*}; model=${m#*:}
  [ -f "$OUT/vqvae-$name-bsds-test.json" ] || $VQZ eval vqvae --model "$model" --data "$DATA/bsds500/test.tar" --batch 8 \
    --threads "$THREADS" --json "$OUT/vqvae-$name-bsds-test.json"
  [ -f "$OUT/vqvae-$name-cifar-test1000.json" ] || $VQZ eval vqvae --model "$model" --data "$DATA/cifar10/test.tar" --per-folder 100 \
    --threads "$THREADS" --json "$OUT/vqvae-$name-cifar-test1000.json"
done
