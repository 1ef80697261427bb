# Palabre web and worker image. Build: docker build -t palabre .
# The model is trained at build time from data/ so every container carries the same artifact.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MODERATION_ENV=production \
    MODERATION_MODEL_PATH=/srv/palabre/model/model.skops \
    PALABRE_BIND=0.0.0.0:8000

RUN useradd --system --home /srv/palabre --create-home palabre
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY moderation moderation
COPY classifier classifier
COPY migrations migrations
COPY data data
COPY wsgi.py gunicorn.conf.py ./

# Training needs no database; a throwaway secret satisfies the production check.
RUN mkdir -p /srv/palabre/model \
 && MODERATION_SECRET_KEY=build-only-build-only-build-only-0000 \
    MODERATION_DATABASE_URL=sqlite:////tmp/build.db \
    flask --app wsgi classifier train --data data/bootstrap --out /srv/palabre/model/model.skops \
 && rm -f /tmp/build.db \
 && chown -R palabre /srv/palabre

USER palabre
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
# gunicorn stops on SIGTERM after finishing requests in flight (graceful_timeout in gunicorn.conf.py).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
