"""The "The Price is Right" web page (Gradio): deals, the agents' live log, the product map, price-this."""
