# AIMS production image: one image for the web (gunicorn), the Celery worker and Celery beat.
FROM python:3.12-slim

# The code runs from /app (PYTHONPATH), where manage.py, templates/ and static/ sit beside the
# packages; `pip install` below brings the dependencies. Data (media, the Celery beat schedule) goes
# to /data, which docker-compose.yml mounts as a volume; collected static files stay in the image.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    AIMS_DATA_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint's system libraries (PDF reports) and a font for them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 aims \
    && useradd --system --uid 10001 --gid aims --home-dir /home/aims --create-home aims \
    && mkdir -p /data/media \
    && chown -R aims:aims /data

WORKDIR /app
COPY . /app
RUN pip install /app \
    && rm -rf /app/build /app/*.egg-info

# Collect static files at build time. The key is a throwaway: it only lets settings load
# (DEBUG off requires one); the real SECRET_KEY comes from the environment at run time.
# A scratch AIMS_DATA_DIR keeps root-owned files out of /data.
RUN SECRET_KEY=collectstatic-only-not-a-real-secret-key-000000000000000000 DEBUG=0 \
        AIMS_DATA_DIR=/tmp/build-data \
        python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-data

USER aims
EXPOSE 8000

CMD ["gunicorn", "aims.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
