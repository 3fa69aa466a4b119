#!/bin/bash
accelerate launch --num_processes 6 src/open_r1/grpo.py --config recipes/grpo.yaml \
   --num_generations 7 --steps_per_generation 4
