#!/usr/bin/env bash
# Two nodes x 4 GPUs = the 8 GPUs x 2 images the schedule was tuned for. Run on each node with its NODE_RANK.
export NNODES=2
export MASTER_ADDR=${MASTER_ADDR:-10.1.0.11}
CONFIG=configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py
NODE_RANK=${NODE_RANK:-0} bash tools/dist_train.sh ${CONFIG} 4 --work-dir work_dirs/faster-rcnn_r50_fpn_1x_coco
