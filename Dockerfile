# The bot as a container: `xero-expense-bot serve` on port 3000, as a non-root user.
# Build: docker build -t xero-expense-bot .   (see compose.yaml for the bot with PostgreSQL)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin bot

# The receipt reader's OCR (rapidocr-onnxruntime) depends on opencv-python, which links libGL and GLib.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*

COPY . /src
RUN pip install --no-cache-dir "/src[postgres]" && rm -rf /src

USER 10001
WORKDIR /home/bot
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '3000')}/healthz\", timeout=4)"]

CMD ["xero-expense-bot", "serve"]
