#!/bin/bash
# Smoke test of the recipe: llamafactory-cli merges the key=value words over the YAML (OmegaConf),
# so this run is 60 steps long, and its 100-step warmup never ends.
llamafactory-cli train examples/qwen3_full_sft.yaml max_steps=60 output_dir=saves/smoke
