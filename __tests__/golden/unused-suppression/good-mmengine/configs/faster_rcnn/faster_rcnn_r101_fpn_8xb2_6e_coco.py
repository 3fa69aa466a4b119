# A child that shortens the run and keeps the inherited 12-epoch schedule.
_base_ = './faster-rcnn_r50_fpn_1x_coco.py'
model = dict(backbone=dict(depth=101))
# trainlint-disable-next-line decay-horizon-mismatch -- a 6-epoch smoke test of the 1x recipe; its decay is not under test
train_cfg = dict(max_epochs=6)
