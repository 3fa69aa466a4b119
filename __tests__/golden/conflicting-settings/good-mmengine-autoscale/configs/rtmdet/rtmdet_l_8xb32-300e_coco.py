# In the shape of mmdetection configs/rtmdet/rtmdet_l_8xb32-300e_coco.py (values from
# FACTS-openmmlab.md; model and pipelines left out; written for trainlint's tests).
_base_ = [
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_1x.py',
    '../_base_/datasets/coco_detection.py'
]
max_epochs = 300
stage2_num_epochs = 20
base_lr = 0.004
interval = 10

train_dataloader = dict(batch_size=32, num_workers=10)

train_cfg = dict(
    max_epochs=max_epochs,
    val_interval=interval,
    dynamic_intervals=[(max_epochs - stage2_num_epochs, 1)])

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=base_lr, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0, bias_decay_mult=0, bypass_duplicate=True))

param_scheduler = [
    dict(type='LinearLR', start_factor=1.0e-5, by_epoch=False, begin=0, end=1000),
    dict(
        type='CosineAnnealingLR',
        eta_min=base_lr * 0.05,
        begin=max_epochs // 2,
        end=max_epochs,
        T_max=max_epochs // 2,
        by_epoch=True,
        convert_to_iter_based=True),
]

default_hooks = dict(checkpoint=dict(interval=interval, max_keep_ckpts=3))
# The LR of this recipe is for 8 x 32 images.
auto_scale_lr = dict(enable=False, base_batch_size=256)
