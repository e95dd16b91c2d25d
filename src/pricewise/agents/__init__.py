"""Deal hunting: scan feeds, price new deals with a trained pricer, alert on opportunities, remember.

Modules: ``urls`` (canonical URLs, SSRF guard), ``fetch`` (polite HTTP), ``feeds`` (parsing),
``extract`` / ``llm_extract`` (deal price extraction), ``scanner``, ``memory`` (SQLite), ``messenger``
(Apprise), ``planner`` (one scan), ``autonomous`` (LLM with tools), ``scheduler`` (watch loop),
``snapshots`` (serve feed files over local HTTP for offline demos).
"""
