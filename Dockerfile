# The app in one container (one Streamlit process: one core for the scripts of every tab it serves).
#   docker build -t neurons . && docker run --rm -p 8501:8501 neurons
# Several replicas behind a sticky load balancer: deploy/compose.yaml (README, "Deploying for a class").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# The code belongs to root and is read-only for the app; what the app writes (saved runs, the data set's
# download cache in ~/.cache) lives in the unprivileged user's home.
RUN useradd --create-home --uid 10001 app
COPY . .
ENV FASHION_RUNS_DIR=/home/app/runs
USER app

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]
CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true", \
     "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
