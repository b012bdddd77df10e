# The base image is pinned to an exact Node release (22.23.3 on Debian bookworm, slim). A digest
# would pin it harder, but none could be read from a registry where this file was written; add it
# as node:22.23.3-bookworm-slim@sha256:… where one can, and let the dependency bot move both.

# Build: every dependency, then tsc into dist/ (with the empty embedded database the build packs).
FROM node:22.23.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: npm's prepare would build before the sources are here; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# Run: production dependencies only (no TypeScript, tsx or esbuild), the compiled bot, the content.
FROM node:22.23.3-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script; --ignore-scripts also skips prepare (no build here).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY content ./content
# The node user (uid 1000) owns the data directory; a host directory mounted there must be too.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# 503 when the database is unreachable or no platform is connected (no token, no terminal).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM stops the scheduler, lets in-flight deliveries finish and closes the database within 8 s,
# inside Docker's default 10 s stop timeout (compose.yaml gives 30 s).
STOPSIGNAL SIGTERM
# Runs dist/ with node itself as pid 1 (no npm in between to swallow the signal); `start` applies
# pending migrations before it serves anything.
CMD ["node", "bin/mentorbot.js", "start"]
