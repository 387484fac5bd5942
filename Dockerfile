# The bot in a slim image: Python, Tesseract with the six languages' data, no build tools left behind.
#   docker build -t salesbot .
#   docker run --env-file .env -v salesbot-data:/data salesbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/salesbot.db

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-eng tesseract-ocr-hrv tesseract-ocr-ces tesseract-ocr-pol \
        tesseract-ocr-mkd tesseract-ocr-fas tesseract-ocr-osd \
        libtesseract-dev libleptonica-dev pkg-config g++ fonts-dejavu-core \
    && useradd --create-home --uid 10001 salesbot \
    && mkdir -p /data && chown salesbot /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
RUN pip install '.[postgres]' \
    && apt-get purge -y --auto-remove libtesseract-dev libleptonica-dev pkg-config g++ \
    && apt-get install -y --no-install-recommends libtesseract5 \
    && rm -rf /var/lib/apt/lists/*

USER salesbot
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"WEBHOOK_PORT\") or os.environ.get(\"OPS_PORT\") or 8080}/healthz', timeout=2)" || exit 1
CMD ["salesbot", "run"]
