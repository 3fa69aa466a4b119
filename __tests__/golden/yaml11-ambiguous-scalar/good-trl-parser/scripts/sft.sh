#!/bin/bash
set -euo pipefail
trl sft --config configs/sft.yaml --output_dir out/qwen-sft-run1
