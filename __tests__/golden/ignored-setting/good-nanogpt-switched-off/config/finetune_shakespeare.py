# Reconstructed by trainlint from corpus/FACTS-nanoGPT.md (values only; not the original file).
# karpathy/nanoGPT config/finetune_shakespeare.py @3adf61e

eval_interval = 5
eval_iters = 40

init_from = 'gpt2-xl'

# 1 x 32 x 1024 = 32,768 tokens per iteration
batch_size = 1
gradient_accumulation_steps = 32
max_iters = 20

# constant LR
learning_rate = 3e-5
decay_lr = False
warmup_iters = 5
