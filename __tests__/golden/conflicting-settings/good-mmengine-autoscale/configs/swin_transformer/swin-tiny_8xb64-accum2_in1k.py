# 8 GPUs x 64 images x 2 accumulation steps = 1024 samples per step, with MMEngine's LR scaling on:
# scale_lr counts 8 x 64 = 512, so base_batch_size is 512 for the LR to stay the recipe's 1e-3.
_base_ = './swin-tiny_16xb64_in1k.py'
optim_wrapper = dict(accumulative_counts=2)
auto_scale_lr = dict(enable=True, base_batch_size=512)
