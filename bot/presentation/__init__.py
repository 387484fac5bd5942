"""Presentation: what the bot shows. Names of stages, roles and reasons (`labels`), message
renderers per feature, inline keyboards (`keyboards`) and the small send helpers (`replies`).

Handlers and background jobs both render through here; nothing here touches the database.
"""
