#!/bin/bash
deepspeed --num_gpus 8 train.py --deepspeed --deepspeed_config configs/ds_config.json
