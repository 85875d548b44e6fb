#!/usr/bin/env bash
# Figures of the default models (models/README.md, docs/experiments.md §2-4). Resumable: finished
# steps are skipped. Usage: experiments/defaults.sh   (VQZ, DATA, OUT, THREADS override)
set -euo pipefail
cd "$(dirname "$0")/.."
VQZ=${VQZ:-"dotnet runs/bin4/vqz.dll"}
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/defaults}
THREADS=${THREADS:-1}
mkdir -p "$OUT"
F4=models/cifar10-ng-f4.vqm; F4P=models/cifar10-ng-f4-gated.vqp
F8=models/cifar10-ng-f8.vqm; F8P=models/cifar10-ng-f8-gated.vqp

# Stage 1 on the whole CIFAR-10 test set (10,000 images) and on BSDS500 test.
for m in f4 f8; do
  model=models/cifar10-ng-$m.vqm
  [ -f "$OUT/vqvae-$m-cifar-test.json" ] || $VQZ eval vqvae --model "$model" --data "$DATA/cifar10/test.tar" --threads "$THREADS" --json "$OUT/vqvae-$m-cifar-test.json"
  [ -f "$OUT/vqvae-$m-bsds-test.json" ] || $VQZ eval vqvae --model "$model" --data "$DATA/bsds500/test.tar" --batch 8 --threads "$THREADS" --json "$OUT/vqvae-$m-bsds-test.json"
done

# Stage 2: the priors of issue 4 on the f4 codes (trained on CIFAR-10 train), evaluated on test-1000.
[ -f "$OUT/f4-unigram.vqp" ] || $VQZ train prior --vqvae "$F4" --data "$DATA/cifar10/train.tar" --arch unigram --out "$OUT/f4-unigram.vqp"
for arch in made pixelcnn; do
  if [ ! -f "$OUT/f4-$arch.vqp" ]; then
    resume=(); [ -f "$OUT/f4-$arch.vqp.ckpt" ] && resume=(--resume)
    $VQZ train prior --vqvae "$F4" --data "$DATA/cifar10/train.tar" --arch "$arch" --epochs 6 --warmup 200 --threads "$THREADS" \
      --log-every 100 --out "$OUT/f4-$arch.vqp" "${resume[@]}"
  fi
done
[ -f "$OUT/prior-f4.json" ] || $VQZ eval prior --vqvae "$F4" --data "$DATA/cifar10/test.tar" --per-folder 100 \
  --prior "$OUT/f4-unigram.vqp" "$OUT/f4-made.vqp" "$OUT/f4-pixelcnn.vqp" "$F4P" \
  --checkpoints runs/cifar10-ng-f4-gated.vqp.epoch*.ckpt --json "$OUT/prior-f4.json"

# The codec against JPEG, WebP and AVIF.
[ -f "$OUT/codec-cifar-test1000.json" ] || $VQZ eval codec --data "$DATA/cifar10/test.tar" --per-folder 100 --quality low,high \
  --threads "$THREADS" --json "$OUT/codec-cifar-test1000.json" --csv "$OUT/codec-cifar-test1000.csv"
[ -f "$OUT/codec-bsds-test.json" ] || $VQZ eval codec --data "$DATA/bsds500/test.tar" --quality low,high \
  --threads "$THREADS" --json "$OUT/codec-bsds-test.json" --csv "$OUT/codec-bsds-test.csv"

# Samples (section 5.3).
mkdir -p docs/figures
[ -f docs/figures/samples-f4.png ] || $VQZ sample --vqvae "$F4" --prior "$F4P" --count 64 --seed 1 --out docs/figures/samples-f4.png
[ -f docs/figures/samples-f8.png ] || $VQZ sample --vqvae "$F8" --prior "$F8P" --count 64 --grid 4 --seed 1 --out docs/figures/samples-f8.png
