# check=error=true
# The benchpilot image: the control plane (`serve`, the default command) and the runner
# (`runner --connect …`, what the Kubernetes executor's Jobs run), one image for both.
#
#   docker build -t benchpilot:dev .
#   docker run --rm -p 8080:8080 benchpilot:dev          # serve on 0.0.0.0:8080, state in /data
#
# Build stage: all dependencies, tsc and Vite builds, then `npm prune --omit=dev`. Runtime stage:
# production dependencies + dist + bin + workloads + schemas + package.json, non-root uid 10001
# (the chart's runAsUser), exec-form ENTRYPOINT, nothing that needs a shell at run time.
# Lint: `bash scripts/dockerfile-lint.sh` (BuildKit's `docker build --check` rules). docs/deploy.md.

# Both stages use the same base, so the native better-sqlite3 module built in the first runs in
# the second. Pin a digest for reproducible releases:
#   --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:…

# NODE_IMAGE is the Node.js LTS base image of both stages.
ARG NODE_IMAGE=node:24-bookworm-slim

# build compiles the TypeScript and the web UI, then drops the devDependencies.
FROM ${NODE_IMAGE} AS build
# better-sqlite3 downloads a prebuilt binary when one exists for this Node.js and platform, else
# compiles itself with node-gyp: python3, make and g++ make that fallback work (this stage only).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (tsc) needs the sources, copied below; better-sqlite3's own install
# script runs through `npm rebuild` right after.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY web ./web
COPY workloads ./workloads
COPY schemas ./schemas
# tsconfig.json also includes test/ and bench/, which are not in the build context: tsc
# compiles src/ into dist/src, Vite the web UI into dist/web.
RUN npx tsc -p tsconfig.json \
 && npx vite build --config web/vite.config.ts --logLevel warn \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p /data

# runtime is the image: production dependencies and the build output, run as uid 10001.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    BENCHPILOT_HOST=0.0.0.0 \
    BENCHPILOT_PORT=8080 \
    BENCHPILOT_DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the app user; only /data (state) is its own.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/workloads ./workloads
COPY --from=build /app/schemas ./schemas
COPY --from=build --chown=10001:10001 /data /data
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "/app/bin/benchpilot.js"]
CMD ["serve"]
