#!/usr/bin/env bash
# Figures of the default models (models/README.md, docs/experiments.md §2-4). Resumable: finished
# steps are skipped. Usage: experiments/defaults.sh   (VQZ, DATA, OUT, THREADS, PRIOR_EPOCHS override)
# Stage 1 and the codec are measured on the named subsets (CIFAR-10 test-1000, BSDS500 test), the
# baseline priors get a short budget (PRIOR_EPOCHS), and AVIF runs on the CIFAR subset only: what one
# core of this 2-core machine finishes in about an hour.
set -euo pipefail
cd "$(dirname "$0")/.."
VQZ=${VQZ:-"dotnet runs/bin4/vqz.dll"}
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/defaults}
THREADS=${THREADS:-1}
PRIOR_EPOCHS=${PRIOR_EPOCHS:-2}
mkdir -p "$OUT"
F4=models/cifar10-ng-f4.vqm; F4P=models/cifar10-ng-f4-gated.vqp
F8=models/cifar10-ng-f8.vqm; F8P=models/cifar10-ng-f8-gated.vqp

# Stage 1 on CIFAR-10 test-1000 and on BSDS500 test.
for m in f4 f8; do
  model=models/cifar10-ng-$m.vqm
  [ -f "$OUT/vqvae-$m-cifar-test1000.json" ] || $VQZ eval vqvae --model "$model" --data "$DATA/cifar10/test.tar" --per-folder 100 --threads "$THREADS" --json "$OUT/vqvae-$m-cifar-test1000.json"
  [ -f "$OUT/vqvae-$m-bsds-test.json" ] || $VQZ eval vqvae --model "$model" --data "$DATA/bsds500/test.tar" --batch 8 --threads "$THREADS" --json "$OUT/vqvae-$m-bsds-test.json"
done

# Stage 2: the priors of issue 4 on the f4 codes (trained on CIFAR-10 train), evaluated on test-1000.
[ -f "$OUT/f4-unigram.vqp" ] || $VQZ train prior --vqvae "$F4" --data "$DATA/cifar10/train.tar" --arch unigram --out "$OUT/f4-unigram.vqp"
for arch in made pixelcnn; do
  if [ ! -f "$OUT/f4-$arch.vqp" ]; then
    resume=(); [ -f "$OUT/f4-$arch.vqp.ckpt" ] && resume=(--resume)
    $VQZ train prior --vqvae "$F4" --data "$DATA/cifar10/train.tar" --arch "$arch" --epochs "$PRIOR_EPOCHS" --warmup 200 --threads "$THREADS" \
      --log-every 100 --out "$OUT/f4-$arch.vqp" "${resume[@]}"
  fi
done
[ -f "$OUT/prior-f4.json" ] || $VQZ eval prior --vqvae "$F4" --data "$DATA/cifar10/test.tar" --per-folder 100 \
  --prior "$OUT/f4-unigram.vqp" "$OUT/f4-made.vqp" "$OUT/f4-pixelcnn.vqp" "$F4P" \
  --checkpoints runs/cifar10-ng-f4-gated.vqp.epoch*.ckpt --json "$OUT/prior-f4.json"

# The codec against JPEG, WebP and AVIF.
[ -f "$OUT/codec-cifar-test1000.json" ] || $VQZ eval codec --data "$DATA/cifar10/test.tar" --per-folder 100 --quality low,high \
  --threads "$THREADS" --json "$OUT/codec-cifar-test1000.json" --csv "$OUT/codec-cifar-test1000.csv"
[ -f "$OUT/codec-bsds-test.json" ] || $VQZ eval codec --data "$DATA/bsds500/test.tar" --quality low,high --standard jpeg,webp \
  --threads "$THREADS" --json "$OUT/codec-bsds-test.json" --csv "$OUT/codec-bsds-test.csv"

# Samples (section 5.3).
mkdir -p docs/figures
[ -f docs/figures/samples-f4.png ] || $VQZ sample --vqvae "$F4" --prior "$F4P" --count 64 --seed 1 --out docs/figures/samples-f4.png
[ -f docs/figures/samples-f8.png ] || $VQZ sample --vqvae "$F8" --prior "$F8P" --count 64 --grid 4 --seed 1 --out docs/figures/samples-f8.png
