# The same recipe on 4 GPUs x 32 images: MMEngine scales the inherited 0.004 by 4 x 32 / 256.
_base_ = './rtmdet_l_8xb32-300e_coco.py'
auto_scale_lr = dict(enable=True, base_batch_size=256)
