#!/usr/bin/env bash
# command printed by the kohya_ss GUI, with the accelerate config it saved
accelerate launch --config_file config/accel_2gpu.yaml --num_cpu_threads_per_process=2 train_network.py --config_file config/lora_sd15.toml
