#!/bin/bash
# SFT: the cosine spans 2 epochs x 500 steps, but total_training_steps stops at 100
torchrun --standalone --nnodes=1 --nproc_per_node=8 -m verl.trainer.fsdp_sft_trainer \
    data.train_batch_size=128 \
    data.micro_batch_size_per_gpu=4 \
    optim.lr=1e-5 \
    trainer.total_epochs=2 \
    trainer.total_training_steps=100
