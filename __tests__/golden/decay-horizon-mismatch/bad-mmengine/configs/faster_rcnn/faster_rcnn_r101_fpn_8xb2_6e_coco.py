# A child that shortens the run and keeps the inherited 12-epoch schedule.
_base_ = './faster-rcnn_r50_fpn_1x_coco.py'
model = dict(backbone=dict(depth=101))
train_cfg = dict(max_epochs=6)
