#!/bin/bash
# AutoBatch (batch=-1) profiles one GPU; on four it is refused or replaced.
yolo detect train data=data/parts.yaml model=yolo11m.pt epochs=100 batch=-1 device=0,1,2,3 optimizer=SGD lr0=0.01
