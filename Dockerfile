# One image for every Atrium service; the command picks which entry point runs.
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY firmware-sim/package.json firmware-sim/
COPY edge/package.json edge/
COPY cloud/package.json cloud/
COPY dashboards/package.json dashboards/
RUN npm ci --no-audit --no-fund
COPY . .
USER node
