#!/bin/bash
# epochs=50 comes before cfg=, which replaces everything written before it.
yolo detect train epochs=50 cfg=cfg/custom.yaml data=coco.yaml batch=30 device=0,1,2,3
