# syntax=docker/dockerfile:1
#
# Two images from one file:
#   docker build --target gateway .   the gateway: a static binary, non-root, nothing else
#   docker build --target minio .     MinIO built from source at the version "make run" pins
# docker-compose.yml builds both.

ARG GO_VERSION=1.26
ARG MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/gateway ./cmd/gateway

# The same pinned and patched build as "make minio" (see scripts/build-minio.sh).
FROM golang:${GO_VERSION} AS minio-build
ARG MINIO_VERSION
WORKDIR /src
COPY scripts/build-minio.sh scripts/
COPY deploy/minio deploy/minio
RUN scripts/build-minio.sh ${MINIO_VERSION} /out/minio && mkdir /empty

# The store, with the gateway binary beside it only for its health check
# (the image has no shell tools).
FROM gcr.io/distroless/static-debian12:nonroot AS minio
COPY --from=minio-build /out/minio /usr/local/bin/minio
COPY --from=build /out/gateway /usr/local/bin/gateway
# The data volume mounts here; owned by the non-root user so it can write.
COPY --from=minio-build --chown=65532:65532 /empty /data
USER nonroot:nonroot
EXPOSE 9000
ENTRYPOINT ["/usr/local/bin/minio"]
CMD ["server", "/data", "--address", ":9000"]

FROM gcr.io/distroless/static-debian12:nonroot AS gateway
COPY --from=build /out/gateway /usr/local/bin/gateway
USER nonroot:nonroot
EXPOSE 8080
ENV GATEWAY_ADDR=:8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["/usr/local/bin/gateway", "healthcheck", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/gateway"]
