#!/bin/bash
# verl SFT on 8 GPUs: 128 = 8 ranks x 4 x 4 accumulation steps
torchrun --standalone --nnodes=1 --nproc_per_node=8 -m verl.trainer.fsdp_sft_trainer \
    data.train_batch_size=128 \
    data.micro_batch_size_per_gpu=4 \
    optim.lr=1e-5 \
    trainer.total_epochs=2
