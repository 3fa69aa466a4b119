# Half the GPUs, twice the accumulation: 8 x 64 x 2 = 1024 samples per optimizer step, the batch
# the inherited LR was tuned for (file name 16xb64 of the base); no LR scaling.
_base_ = './swin-tiny_16xb64_in1k.py'
optim_wrapper = dict(accumulative_counts=2)
