#!/bin/bash
# Fine-tune: 100 epochs, patience 10.
yolo detect train data=coco128.yaml model=yolo11n.pt epochs=100 patience=10 batch=16 optimizer=AdamW lr0=0.001
