# Boussole ESS, the Telegram bot: `docker build -t boussole-ess .` then
# `docker run -e TELEGRAM_BOT_TOKEN=... -v boussole-data:/data boussole-ess`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOUSSOLE_DATA_DIR=/data

WORKDIR /app

# Dependencies in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code and the content it loads at start (knowledge/ and intents/ sit next to bot/).
COPY bot ./bot
COPY knowledge ./knowledge
COPY intents ./intents

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin boussole \
    && mkdir -p /data && chown boussole /data \
    && python -m bot check > /dev/null
USER boussole

# Conversation states (one small JSON file per chat); keep it on a volume.
VOLUME ["/data"]
# Only used in webhook mode (WEBHOOK_URL set).
EXPOSE 8443

CMD ["python", "-m", "bot", "run"]
