# Tuned for 8 GPUs x 2 images and launched on one GPU with --auto-scale-lr: MMEngine scales the LR
# down to 0.02 x 2 / 16 = 0.0025, but the absolute eta_min stays at 0.005.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=20000, val_interval=2000)
train_dataloader = dict(batch_size=2, num_workers=2)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=500, end=20000, T_max=19500, eta_min=0.005)
]
auto_scale_lr = dict(enable=True, base_batch_size=16)
