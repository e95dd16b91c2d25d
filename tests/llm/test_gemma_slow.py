"""The real offline Gemma 3 270M with the committed adapter (minutes on a 2-core CPU: marked slow)."""

from __future__ import annotations

import numpy as np
import pytest

from pricewise.data.sources import dev_items
from pricewise.llm.pricer import LLMPricer


@pytest.mark.slow
def test_committed_adapter_prices_real_items_in_a_sane_range(settings):
    items = dev_items(settings)[250:254]
    estimates = LLMPricer(batch_size=4).predict(items)
    assert np.all(np.isfinite(estimates.estimate))
    assert np.all((estimates.low <= estimates.estimate + 1e-9) & (estimates.estimate <= estimates.high + 1e-9))
    assert np.all((estimates.estimate >= 1) & (estimates.estimate <= 999))
