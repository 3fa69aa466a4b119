# An iteration-based FCOS fine-tune on 4 GPUs x 4 images: the checkpoint hook counts iterations too.
train_dataloader = dict(batch_size=4, num_workers=4)
train_cfg = dict(type='IterBasedTrainLoop', max_iters=12000, val_interval=2000)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=300),
    dict(type='MultiStepLR', begin=0, end=12000, by_epoch=False, milestones=[8000, 11000], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2000))
