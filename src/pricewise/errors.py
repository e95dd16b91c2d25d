"""Exceptions that mean "the user asked for something we cannot do", shown as one line by the CLI."""


class PricewiseError(Exception):
    """A user-facing error: bad input, missing file, incompatible model. Never a bug."""


class DataError(PricewiseError):
    """Input data has the wrong schema or cannot be read."""


class ModelError(PricewiseError):
    """A saved model is missing, incompatible, or outside the artifacts directory."""


class ConfigError(PricewiseError):
    """The configuration is invalid or names something unknown."""
