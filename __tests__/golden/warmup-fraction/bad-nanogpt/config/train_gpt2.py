# Reconstructed by trainlint from corpus/FACTS-nanoGPT.md (values only; not the original file).
# karpathy/nanoGPT config/train_gpt2.py @3adf61e; launched with torchrun --standalone --nproc_per_node=8

wandb_run_name = 'gpt2-124M'

# 12 x 1024 x 5 x 8 = 491,520 tokens per iteration
batch_size = 12
block_size = 1024
gradient_accumulation_steps = 5 * 8

max_iters = 5000
lr_decay_iters = 5000

eval_interval = 1000
eval_iters = 200
log_interval = 10

weight_decay = 1e-1
