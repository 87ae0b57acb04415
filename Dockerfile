# One image for all 19 roles: APP_ROLE picks what a container runs (docs/deployment.md).
#
#   docker build -t integration-platform --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg REVISION=$(git rev-parse HEAD) .
#
# Configuration and secrets come from the environment at run time; nothing secret is built in.
# Needs BuildKit (the default builder since Docker 23) for the npm cache mount.

# Pin a digest for reproducible builds: --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:<digest>
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles its native addon from source when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The gRPC services load their .proto files at run time (proto-loader), so they ship beside dist/.
COPY proto ./proto
# The operator console (a Vite + React app, docs/console.md): `npm run build` builds it into dist/console.
COPY console ./console
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="integration-platform" \
      org.opencontainers.image.description="The software factory's governed boundary to the outside world: one NestJS codebase run as 19 roles (APP_ROLE)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# tini runs as PID 1: it forwards SIGTERM to Node (whose graceful shutdown drains in-flight work) and
# reaps zombies. npm, npx, corepack and yarn are never used at run time, so they leave the image.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
    /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/var/lib/integration-platform
WORKDIR /app
# The application stays owned by root, so the process cannot modify its own code; only DATA_DIR
# (embedded adapters, mount a volume there) is writable by the runtime user.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/proto ./proto
RUN install -d -o node -g node -m 0750 /var/lib/integration-platform
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# 3000: HTTP (every role); 50051: gRPC (the http+grpc roles, GRPC_PORT).
EXPOSE 3000
EXPOSE 50051
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
