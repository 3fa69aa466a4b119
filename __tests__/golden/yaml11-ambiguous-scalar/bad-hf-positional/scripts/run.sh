#!/bin/bash
# H4ArgumentParser.parse(): a YAML as the only argument goes to HfArgumentParser.parse_yaml_file.
ACCELERATE_LOG_LEVEL=info accelerate launch --num_processes 8 scripts/run_sft.py configs/sft.yaml
