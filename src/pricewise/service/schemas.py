"""Request and response bodies of the service; the OpenAPI docs are generated from these."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ProductText(BaseModel):
    """One product to price. Either field may be empty, not both (checked by the route, which knows the limits)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: str = Field("", description="Product title; the first line of the text a pricer reads.")
    description: str = Field("", description="Description, features, details: any free text.")

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.title.strip(), self.description.strip()) if part)


class PriceRequest(BaseModel):
    """Either one product (``title``/``description`` at the top level) or many (``items``)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: str | None = None
    description: str | None = None
    items: list[ProductText] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> PriceRequest:
        single = self.title is not None or self.description is not None
        if single and self.items is not None:
            raise ValueError("send either title/description or items, not both")
        if not single and self.items is None:
            raise ValueError("send a title and/or description, or a list of items")
        return self

    @property
    def products(self) -> list[ProductText]:
        if self.items is not None:
            return self.items
        return [ProductText(title=self.title or "", description=self.description or "")]


class Price(BaseModel):
    """One estimate in dollars; ``low``/``high`` bound it at ``coverage`` when the pricer gives intervals."""

    estimate: float | None = Field(description="Null where the pricer could not price the item.")
    low: float | None = None
    high: float | None = None
    coverage: float | None = None


class PriceResponse(BaseModel):
    prices: list[Price]
    pricer: str
    model_version: str


class Listing(BaseModel):
    """Rows from the deal memory, newest first."""

    items: list[dict[str, Any]]
    count: int


class Health(BaseModel):
    status: str
    pricer: str
    model_version: str
