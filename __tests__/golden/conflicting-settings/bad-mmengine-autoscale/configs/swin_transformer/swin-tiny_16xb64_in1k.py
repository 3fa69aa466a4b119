# 16 GPUs x 64 images = the 1024 of the schedule's LR (5e-4 * 1024 / 512) and base_batch_size.
_base_ = [
    '../_base_/datasets/imagenet_bs64.py',
    '../_base_/schedules/imagenet_bs1024_adamw_swin.py',
]
model = dict(type='ImageClassifier', backbone=dict(type='SwinTransformer', arch='tiny'))
optim_wrapper = dict(clip_grad=dict(max_norm=5.0))
