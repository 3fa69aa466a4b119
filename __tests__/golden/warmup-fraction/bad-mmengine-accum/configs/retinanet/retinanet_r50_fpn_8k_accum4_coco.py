# 8000 iterations with accumulative_counts=4 (2000 optimizer steps): the 2000-iteration warmup counts
# dataloader iterations, so it is 500 optimizer steps (25% of the run); advice is in iterations.
_base_ = '../_base_/schedules/schedule_90k.py'
train_cfg = dict(type='IterBasedTrainLoop', max_iters=8000, val_interval=2000)
optim_wrapper = dict(type='OptimWrapper', accumulative_counts=4, optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=2000),
    dict(type='MultiStepLR', begin=0, end=8000, by_epoch=False, milestones=[6000, 7200], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=2000))
