#!/bin/bash
accelerate launch --config_file configs/deepspeed_zero3.yaml scripts/sft.py --config configs/sft.yaml
