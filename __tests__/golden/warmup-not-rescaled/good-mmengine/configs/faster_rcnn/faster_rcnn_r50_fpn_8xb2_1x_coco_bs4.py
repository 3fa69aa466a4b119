# The file name says 8 GPUs x 2 images (the batch the inherited LR was tuned for); the per-GPU batch is now 4.
_base_ = './faster-rcnn_r50_fpn_1x_coco.py'
train_dataloader = dict(batch_size=4, num_workers=4)
optim_wrapper = dict(optimizer=dict(lr=0.04))
# The warmup in iterations halved with the doubled batch (the same number of samples).
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=250),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)
]
