import re

import numpy as np
import pytest

from pricewise.data.sources import dev_items, fold_of
from pricewise.pricers import registry
from pricewise.pricers.chat_prompts import RAG_INTRO, RAG_QUESTION
from pricewise.pricers.persistence import load_pricer

_RELATED = re.compile(r"Potentially related product:\n(.*?)\nPrice is \$([0-9.]+)\n\n", re.DOTALL)


@pytest.fixture
def dev100(settings):
    return dev_items(settings)[:100]


def shown(body):
    """The (text, price) of every product placed in a request's prompt."""
    return [(text, float(price)) for text, price in _RELATED.findall(body["messages"][1]["content"])]


def test_retrieval_is_out_of_fold(fake_openai, dev100):
    train = [i for i in dev100 if fold_of(i.id) != 0]
    test = [i for i in dev100 if fold_of(i.id) == 0]
    pricer = registry.create("rag", k=5, embedding_model="wordllama").fit(train)
    pricer.predict(test)
    train_texts = {i.text for i in train}
    test_texts = {i.text for i in test}
    assert len(fake_openai.bodies) == len(test)
    for body in fake_openai.bodies:
        products = shown(body)
        assert len(products) == 5
        assert all(text in train_texts and text not in test_texts for text, _ in products)


def test_an_item_never_retrieves_itself(fake_openai, dev100):
    pricer = registry.create("rag", k=3, embedding_model="wordllama").fit(dev100)
    pricer.predict(dev100[:20])
    by_question = {}
    for body in fake_openai.bodies:
        user = body["messages"][1]["content"]
        by_question[user.split(RAG_QUESTION, 1)[1]] = shown(body)
    for item in dev100[:20]:
        question = "How much does this cost?\n\n" + item.summary
        assert item.text not in [text for text, _ in by_question[question]]


def test_prompt_layout_and_prices_reach_the_model(fake_openai, dev100):
    train, test = dev100[:80], dev100[80:85]
    pricer = registry.create("rag", embedding_model="wordllama").fit(train)
    estimates = pricer.predict(test)
    body = fake_openai.bodies[0]
    user = body["messages"][1]["content"]
    assert user.startswith(RAG_INTRO) and RAG_QUESTION in user
    assert body["messages"][0]["content"].startswith("You estimate prices of items")
    assert body["messages"][2] == {"role": "assistant", "content": "Price is $"}
    prices = {i.text: i.price for i in train}
    for text, price in shown(body):
        assert price == pytest.approx(round(prices[text], 2))
    # the fake model answers the mean of the prices it was shown
    expected = [np.mean([p for _, p in shown(b)]) for b in fake_openai.bodies]
    assert np.allclose(sorted(estimates.estimate), sorted(np.round(expected, 2)))


def test_saved_rag_pricer_reloads_its_index(fake_openai, dev100, settings):
    pricer = registry.create("rag", k=2, embedding_model="wordllama").fit(dev100[:50])
    directory = pricer.save(settings.models_dir / "rag")
    loaded = load_pricer(directory, trusted_root=settings.artifacts_dir)
    assert loaded.n_train_ == 50 and loaded.k == 2
    assert np.allclose(loaded.predict(dev100[50:53]).estimate, pricer.predict(dev100[50:53]).estimate)
