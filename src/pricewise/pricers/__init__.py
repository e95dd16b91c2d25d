"""Pricers: one interface (fit on items, predict estimates with optional intervals, save, load)."""

from pricewise.pricers.base import Estimates, Pricer
from pricewise.pricers.registry import available, create

__all__ = ["Estimates", "Pricer", "available", "create"]
