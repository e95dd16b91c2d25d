"""pricewise: estimate what a product should cost from its text, and hunt deals priced below it.

Importing the package loads no model, tokenizer or client: heavy work happens inside the functions
that need it.
"""

__version__ = "0.1.0"
