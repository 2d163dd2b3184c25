# syntax=docker/dockerfile:1
# ai-review's image. Multi-stage: TypeScript and the better-sqlite3 native addon are built in the build stage; the
# runtime stage has production dependencies, dist/src and app.yml only (no tests, benchmarks or build tools), runs as
# the non-root `node` user under tini (PID 1: forwards SIGTERM, reaps zombies) and checks its health on /ping at HOST
# and PORT. Node.js 24 is the active LTS line (Node.js 20 reached its end of life on 2026-04-30).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# better-sqlite3 12 is compiled here, but the app loads it only with a Node.js 20 NODE_IMAGE; on Node.js 22 and later
# (the default image) it loads better-sqlite3 13 (the `better-sqlite3-v13` alias), whose package carries prebuilt N-API
# binaries, nothing to compile (src/sqlite-database.ts says why).
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Code and dependencies stay owned by root: the app cannot change them. Only /app/data (SQLite) is writable.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json app.yml ./
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "dist/src/http/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/server.js"]
