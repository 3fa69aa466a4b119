# In the shape of detectron2 configs/new_baselines/mask_rcnn_R_50_FPN_100ep_LSJ.py (values from the
# research notes; model and augmentations left out).
from detectron2.config import LazyCall as L
from detectron2.solver import WarmupParamScheduler
from fvcore.common.param_scheduler import MultiStepParamScheduler

from ..common.data.coco import dataloader
from ..common.optim import SGD as optimizer
from ..common.train import train

train["amp"]["enabled"] = True
dataloader.train.total_batch_size = 64

# 100 epochs of COCO at 64 images per iteration
train["max_iter"] = 184375

lr_multiplier = L(WarmupParamScheduler)(
    scheduler=L(MultiStepParamScheduler)(
        values=[1.0, 0.1, 0.01],
        milestones=[163889, 177546],
        num_updates=train.max_iter,
    ),
    warmup_length=500 / train.max_iter,
    warmup_factor=0.067,
)

optimizer.lr = 0.1
optimizer.weight_decay = 4e-5
