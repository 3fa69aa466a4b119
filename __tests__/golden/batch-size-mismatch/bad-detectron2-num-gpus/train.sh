#!/bin/bash
# one node, eight GPUs: detectron2's launch() spawns one process per GPU
python tools/train_net.py --num-gpus 8 \
  --config-file configs/COCO-Detection/retinanet_R_50_FPN_1x.yaml \
  OUTPUT_DIR output/retinanet
