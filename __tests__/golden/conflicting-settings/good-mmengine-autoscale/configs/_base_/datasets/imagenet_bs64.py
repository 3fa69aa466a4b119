# Dataset piece in the shape of mmpretrain configs/_base_/datasets/imagenet_bs64_swin_224.py.
dataset_type = 'ImageNet'
train_dataloader = dict(
    batch_size=64,
    num_workers=5,
    dataset=dict(type=dataset_type, data_root='data/imagenet', split='train'),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=64,
    num_workers=5,
    dataset=dict(type=dataset_type, data_root='data/imagenet', split='val'),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, 5))
