#!/bin/bash
# Fine-tune: 100 epochs, the patience written as a float.
yolo detect train data=coco128.yaml model=yolo11n.pt epochs=100 patience=10.0 batch=16 optimizer=AdamW lr0=0.001
