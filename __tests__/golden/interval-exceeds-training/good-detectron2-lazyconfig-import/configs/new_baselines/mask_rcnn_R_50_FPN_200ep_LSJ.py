# In the shape of detectron2 configs/new_baselines/mask_rcnn_R_50_FPN_200ep_LSJ.py: the 100-epoch
# config, imported, run twice as long (`model` left out of the import, as the 100ep fixture has none).
from .mask_rcnn_R_50_FPN_100ep_LSJ import (
    dataloader,
    lr_multiplier,
    optimizer,
    train,
)

train.max_iter *= 2  # 100 -> 200 epochs

lr_multiplier.scheduler.milestones = [
    milestone * 2 for milestone in lr_multiplier.scheduler.milestones
]
lr_multiplier.scheduler.num_updates = train.max_iter
