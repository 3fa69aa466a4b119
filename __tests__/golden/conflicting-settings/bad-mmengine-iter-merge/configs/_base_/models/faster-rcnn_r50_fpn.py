# A model piece: its train_cfg is the RPN/RCNN assigner settings, not the training loop.
model = dict(
    type='FasterRCNN',
    backbone=dict(type='ResNet', depth=50, num_stages=4, frozen_stages=1),
    neck=dict(type='FPN', in_channels=[256, 512, 1024, 2048], out_channels=256, num_outs=5),
    train_cfg=dict(
        rpn=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.7), allowed_border=-1),
        rcnn=dict(sampler=dict(type='RandomSampler', num=512))),
    test_cfg=dict(rpn=dict(nms_pre=1000), rcnn=dict(score_thr=0.05)))
