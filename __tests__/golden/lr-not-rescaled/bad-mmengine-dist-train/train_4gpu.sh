#!/usr/bin/env bash
# Only four GPUs free on this node; the schedule of the config was tuned for 8 GPUs x 2 images.
CONFIG=configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py
GPUS=4
bash tools/dist_train.sh ${CONFIG} ${GPUS} --work-dir work_dirs/faster-rcnn_r50_fpn_1x_coco_4gpu
