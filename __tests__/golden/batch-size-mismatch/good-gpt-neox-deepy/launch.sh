#!/bin/bash
# 8 nodes x 8 GPUs: deepy.py hands the run to DeepSpeed's launcher, which starts one process per GPU
# of the hostfile (/job/hostfile on this cluster).
python ./deepy.py train.py configs/pythia-1b.yml configs/local_setup.yml
