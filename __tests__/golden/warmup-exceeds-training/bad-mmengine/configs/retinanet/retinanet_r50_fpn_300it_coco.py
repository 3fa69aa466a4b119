# A 300-iteration smoke run on the 90k schedule: the 500-iteration warmup is longer than the run.
_base_ = '../_base_/schedules/schedule_90k.py'
train_cfg = dict(max_iters=300, val_interval=100)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=300, by_epoch=False, milestones=[200, 260], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=100))
