# A smoke run of the 100-epoch LSJ config: imported, and cut to 1/40 of its length. The milestones
# and the warmup are fractions of train.max_iter and follow; the checkpoint period (5000, from
# configs/common/train.py) does not.
from .mask_rcnn_R_50_FPN_100ep_LSJ import (
    dataloader,
    lr_multiplier,
    optimizer,
    train,
)

train.max_iter //= 40  # 184375 // 40 = 4609 iterations
