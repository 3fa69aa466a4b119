#!/bin/bash
# A shorter run of the same recipe: axolotl's CLI writes --max-steps over the YAML's 2000.
axolotl train examples/llama-1b-ebft-code.yaml --max-steps 300 --save-steps 100
