# One image for the API and the projection worker (see docker-compose.yml).

# The console's styles: GOV.UK Frontend at the version package-lock.json pins, compiled
# with the council's settings; only the built files reach the image.
FROM node:20-slim AS console-assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY api/console/styles ./api/console/styles
COPY api/console/scripts ./api/console/scripts
RUN mkdir -p api/console/static/images \
 && cp node_modules/govuk-frontend/dist/govuk/assets/images/* api/console/static/images/ \
 && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js api/console/scripts/init.mjs \
      api/console/static/ \
 && node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
      api/console/styles/console.scss api/console/static/console.css

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
COPY --from=console-assets /build/api/console/static ./api/console/static

RUN useradd --system --home-dir /data vtr && mkdir -p /data && chown vtr /data
USER vtr
EXPOSE 8000
CMD ["python", "-m", "api", "serve"]
