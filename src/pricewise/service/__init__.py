"""The HTTP pricing service: FastAPI app, micro-batching, auth and metrics (``pricewise serve``)."""
