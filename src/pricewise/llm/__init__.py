"""The LLM pricer: a causal LM fine-tuned with LoRA to complete "Price is $", and its decoding.

Nothing here imports torch or transformers at import time; the modules do so inside their functions.
"""
