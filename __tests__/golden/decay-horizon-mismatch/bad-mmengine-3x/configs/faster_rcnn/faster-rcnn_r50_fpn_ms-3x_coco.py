_base_ = './faster-rcnn_r50_fpn_1x_coco.py'

# 3x schedule: 36 epochs with multi-scale training. The MultiStepLR of the 1x base
# (milestones [8, 11], end=12) is inherited unchanged.
max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomResize', scale=[(1333, 640), (1333, 800)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
