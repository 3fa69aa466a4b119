#!/bin/bash
python3 -m MaxText.train configs/base.yml run_name=test steps=20000 learning_rate_schedule_steps=5000
