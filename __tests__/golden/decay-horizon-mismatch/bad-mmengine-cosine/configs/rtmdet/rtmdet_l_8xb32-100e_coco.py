# Shortened to 100 epochs: the inherited cosine still runs from epoch 150 to 300.
_base_ = './rtmdet_l_8xb32-300e_coco.py'
train_cfg = dict(max_epochs=100)
