# 5000 iterations, a checkpoint every 1000.
_base_ = '../_base_/schedules/schedule_90k.py'
train_cfg = dict(type='IterBasedTrainLoop', max_iters=5000, val_interval=1000)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=100),
    dict(type='MultiStepLR', begin=0, end=5000, by_epoch=False, milestones=[3500, 4500], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(interval=1000))
