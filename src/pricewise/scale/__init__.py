"""Batch pricing of catalog files (CSV, JSONL, Parquet) with any trained pricer, in one process or on
Ray. Entry point: :func:`pricewise.scale.batch.price_file`."""
