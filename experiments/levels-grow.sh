#!/usr/bin/env bash
# Issue 11, docs/levels.md §5 "Training on, and growing the residual stacks": the finished d8 photo levels
# model trained 3,000 more steps, as it is or grown (function-preserving) first.
#
#   experiments/levels-grow.sh d8-more                                             # control
#   experiments/levels-grow.sh d8-grown --residual-channels 64 --residual-blocks 4 # grown
#
#   INIT=training/levels-d8/photo-levels-d8-grown.vqm STEPS=1200 experiments/levels-grow.sh grown-ecvq0.2 \
#     --level-rate-lambda 0.2 --dead-code-steps 0                                  # entropy-constrained levels
#
# Needs `experiments/levels.sh prepare` (runs/levels/data) and a published vqz (VQZ). Resumable: a second
# call with the same NAME resumes from runs/grow/NAME.vqm.ckpt. Then:
#   $VQZ eval vqvae --model runs/grow/NAME.vqm --data runs/levels/data/valid --levels --batch 8 --threads 1 --json runs/grow/NAME.json
set -euo pipefail
cd "$(dirname "$0")/.."
VQZ=${VQZ:-"dotnet runs/bin/vqz.dll"}
THREADS=${THREADS:-1}
STEPS=${STEPS:-3000}
# The default start was removed from training/ once superseded: `git show a967745:training/levels-d8/photo-levels-d8.vqm`.
INIT=${INIT:-training/levels-d8/photo-levels-d8.vqm}
name=${1:?usage: levels-grow.sh NAME [vqz train vqvae options]}; shift
mkdir -p runs/grow
resume=()
[ -f "runs/grow/$name.vqm.ckpt" ] && resume=(--resume)
$VQZ train vqvae --init "$INIT" --quantizer neural-gas --alpha 0.15 --eta 1 --lambda-start 3 \
  --quantizer-dropout 0.5 --data runs/levels/data/train --crop 64 --batch 32 --lr 2e-4 --warmup 0 --epochs 1000 --max-steps "$STEPS" \
  --seed 2 --threads "$THREADS" --log-every 50 --checkpoint-every 100 --name "$name" --out "runs/grow/$name.vqm" "${resume[@]}" "$@"
