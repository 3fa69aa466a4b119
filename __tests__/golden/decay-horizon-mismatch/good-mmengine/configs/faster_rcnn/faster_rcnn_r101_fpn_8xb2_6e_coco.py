# A child that shortens the run and keeps the inherited 12-epoch schedule.
_base_ = './faster-rcnn_r50_fpn_1x_coco.py'
model = dict(backbone=dict(depth=101))
train_cfg = dict(max_epochs=6)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=6, by_epoch=True, milestones=[4, 5], gamma=0.1)
]
