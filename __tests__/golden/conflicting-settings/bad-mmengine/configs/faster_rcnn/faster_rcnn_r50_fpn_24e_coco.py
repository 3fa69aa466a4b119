_base_ = './faster-rcnn_r50_fpn_1x_coco.py'
# type and by_epoch together: MMEngine's Runner raises RuntimeError.
train_cfg = dict(type='EpochBasedTrainLoop', by_epoch=True, max_epochs=24)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=24, by_epoch=True, milestones=[16, 22], gamma=0.1)
]
