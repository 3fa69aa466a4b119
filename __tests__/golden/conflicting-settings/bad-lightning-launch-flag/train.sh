#!/bin/bash
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=8
srun python train.py fit --config configs/gpt-pretrain.yaml \
    --trainer.val_check_interval 4000
