# A 2000-iteration run that kept the 500-iteration warmup of the 90k schedule (25% of the run).
_base_ = '../_base_/schedules/schedule_90k.py'
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2000, val_interval=500)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=2000, by_epoch=False, milestones=[1500, 1800], gamma=0.1)
]
