#!/bin/bash
# two v5p-32 slices (16 chips each); the ICI mesh was written for 32 chips
python3 -m MaxText.train MaxText/configs/base.yml run_name=llama2-7b-2slice steps=2000 \
  per_device_batch_size=2 ici_fsdp_parallelism=8 ici_tensor_parallelism=4 \
  dcn_data_parallelism=2 num_slices=2 checkpoint_period=500 learning_rate=1e-4
