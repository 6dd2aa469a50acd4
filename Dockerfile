# syntax=docker/dockerfile:1
#
# Two images from one file:
#   docker build --target gateway .   the gateway: a static binary, non-root, nothing else
#   docker build --target minio .     MinIO as published, built from source at the version "make run" pins
# docker-compose.yml builds both.

ARG GO_VERSION=1.26
ARG MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/gateway ./cmd/gateway

# The same pinned, unpatched build as "make minio".
FROM golang:${GO_VERSION} AS minio-build
ARG MINIO_VERSION
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath github.com/minio/minio@${MINIO_VERSION} && mkdir /empty /empty/queue

# The store, with the gateway binary beside it only for its health check
# (the image has no shell tools).
FROM gcr.io/distroless/static-debian12:nonroot AS minio
COPY --from=minio-build /out/minio /usr/local/bin/minio
COPY --from=build /out/gateway /usr/local/bin/gateway
# The data volume mounts here; owned by the non-root user so it can write.
COPY --from=minio-build --chown=65532:65532 /empty /data
# The queue directory of the gateway's NATS target (events wait there while
# NATS is away).
COPY --from=minio-build --chown=65532:65532 /empty/queue /queue
USER nonroot:nonroot
EXPOSE 9000
ENTRYPOINT ["/usr/local/bin/minio"]
CMD ["server", "/data", "--address", ":9000"]

FROM gcr.io/distroless/static-debian12:nonroot AS gateway
COPY --from=build /out/gateway /usr/local/bin/gateway
# The embedded event engine's data.
COPY --from=minio-build --chown=65532:65532 /empty /data
USER nonroot:nonroot
EXPOSE 8080 4222
ENV GATEWAY_ADDR=:8080 GATEWAY_DATA_DIR=/data
HEALTHCHECK --interval=10s --timeout=3s CMD ["/usr/local/bin/gateway", "healthcheck", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/gateway"]
