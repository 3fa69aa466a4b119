# The file name says 8 GPUs x 2 images (the batch the inherited LR was tuned for); the per-GPU batch is now 4.
_base_ = './faster-rcnn_r50_fpn_1x_coco.py'
train_dataloader = dict(batch_size=4, num_workers=4)
# Linear rule: 0.02 x 32 / 16.
optim_wrapper = dict(optimizer=dict(lr=0.04))
