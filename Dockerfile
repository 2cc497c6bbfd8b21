# One image for the API and the projection worker (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    VTR_DATA_DIR=/data \
    VTR_HOST=0.0.0.0

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY aggregates ./aggregates
COPY events ./events
COPY commands ./commands
COPY projections ./projections
COPY api ./api
COPY scenarios ./scenarios

RUN useradd --system --home-dir /data vtr && mkdir -p /data && chown vtr /data
USER vtr
EXPOSE 8000
CMD ["python", "-m", "api", "serve"]
