# The same run with base_batch_size kept at 1024: lr 2e-3 x 8 x 64 / 1024 = 1e-3, the recipe's LR.
_base_ = './swin-tiny_16xb64_in1k.py'
optim_wrapper = dict(accumulative_counts=2, optimizer=dict(lr=2e-3))
auto_scale_lr = dict(enable=True, base_batch_size=1024)
