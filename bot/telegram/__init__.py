"""The Telegram door: python-telegram-bot v22 wiring around the transport-free engine.

- settings: one `Settings` object read from the environment.
- app: the one builder (`build_application`) and `run()` for `ess-bot run`.
- handlers: updates -> `Event` -> `ConversationService.handle` -> rendered messages.
- render: `Reply` -> HTML messages and inline keyboards.
- (conversation state: none here; `bot.conversation` and `bot.stores` keep it)
- delivery: per-chat ordering of updates, retries of flood control and timeouts.
- inline: `@bot dla` scheme cards.
- offline: a Bot API stand-in that records calls (tests and the load benchmark).
"""
