# 8 GPUs x 64 images x 2 accumulation steps = the 1024 the inherited LR was tuned for, with
# MMEngine's LR scaling on: scale_lr counts 8 x 64 = 512 (not the accumulation) and halves the LR.
_base_ = './swin-tiny_16xb64_in1k.py'
optim_wrapper = dict(accumulative_counts=2)
auto_scale_lr = dict(enable=True, base_batch_size=1024)
