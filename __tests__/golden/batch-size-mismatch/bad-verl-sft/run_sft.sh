#!/bin/bash
# verl SFT on 8 GPUs: 100 samples do not split into 8 ranks x 4
torchrun --standalone --nnodes=1 --nproc_per_node=8 -m verl.trainer.fsdp_sft_trainer \
    data.train_batch_size=100 \
    data.micro_batch_size_per_gpu=4 \
    optim.lr=1e-5 \
    trainer.total_epochs=2
