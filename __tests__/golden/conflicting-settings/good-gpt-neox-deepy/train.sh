#!/bin/bash
set -e
cd "$(dirname "$0")"
python ./deepy.py train.py configs/6-7B.yml configs/local_setup.yml
