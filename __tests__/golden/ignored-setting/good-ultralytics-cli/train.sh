#!/bin/bash
yolo detect train cfg=cfg/custom.yaml epochs=50 data=coco.yaml batch=32 device=0,1,2,3
