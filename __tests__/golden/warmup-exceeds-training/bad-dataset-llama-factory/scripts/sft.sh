#!/bin/bash
# LoRA SFT of the helpdesk model on one node with 4 GPUs.
FORCE_TORCHRUN=1 NPROC_PER_NODE=4 llamafactory-cli train examples/train_lora/helpdesk_lora_sft.yaml
