#!/usr/bin/env bash
# make run: a local MinIO with its data in .run/, a demo tenant provisioned in
# it, and the gateway in front, its event engine (embedded NATS) receiving
# the store's bucket notifications; beside them a development-only identity
# provider whose user tokens the demo tenant accepts (for the browser
# example's "Sign in"). Ctrl-C stops them all; data stays for next time.
set -euo pipefail
cd "$(dirname "$0")/.."

MINIO_BIN=${MINIO_BIN:-$HOME/.cache/s3gateway/stock/minio}
MINIO_ADDR=${MINIO_ADDR:-127.0.0.1:9000}
GATEWAY_ADDR=${GATEWAY_ADDR:-127.0.0.1:8080}
RUN_DIR=${RUN_DIR:-.run}
GATEWAY_BIN=${GATEWAY_BIN:-bin/gateway}
DEVIDP_BIN=${DEVIDP_BIN:-bin/devidp}
DEVIDP_ADDR=${DEVIDP_ADDR:-127.0.0.1:8082}
GATEWAY_NATS_LISTEN=${GATEWAY_NATS_LISTEN:-127.0.0.1:4222}
DEMO_KEY=demo-api-key-for-development-only
DEMO_BUCKET=userfiles # the one bucket user tokens reach

# Development-only root credentials of the local store.
export MINIO_ROOT_USER=${MINIO_ROOT_USER:-gateway-admin}
export MINIO_ROOT_PASSWORD=${MINIO_ROOT_PASSWORD:-gateway-admin-secret}

mkdir -p "$RUN_DIR/minio-data" "$RUN_DIR/minio-events-queue"
RUN_ABS=$(cd "$RUN_DIR" && pwd)

# The store's two NATS targets for the gateway's event engine: GATEWAY keeps
# events in a queue directory while NATS is away; GATEWAYFAST sends them at
# once (the queue is sent every 3 s). The gateway keeps one copy of each.
for id in GATEWAY GATEWAYFAST; do
  export MINIO_NOTIFY_NATS_ENABLE_$id=on MINIO_NOTIFY_NATS_ADDRESS_$id=$GATEWAY_NATS_LISTEN
  export MINIO_NOTIFY_NATS_SUBJECT_$id=gateway.events MINIO_NOTIFY_NATS_JETSTREAM_$id=on
done
export MINIO_NOTIFY_NATS_QUEUE_DIR_GATEWAY=$RUN_ABS/minio-events-queue

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# Browsers on the gateway's allowed origins PUT part URLs to the store and
# read the ETag header (MinIO exposes it to every allowed origin). Port 8081
# is where the README serves examples/browser.
export GATEWAY_CORS_ORIGINS=${GATEWAY_CORS_ORIGINS:-http://localhost:8080,http://127.0.0.1:8080,http://localhost:8081,http://127.0.0.1:8081}
MINIO_API_CORS_ALLOW_ORIGIN=$GATEWAY_CORS_ORIGINS \
MINIO_BROWSER=off MINIO_UPDATE=off "$MINIO_BIN" server --quiet --address "$MINIO_ADDR" "$RUN_DIR/minio-data" \
  > "$RUN_DIR/minio.log" 2>&1 &
pids+=($!)
"$GATEWAY_BIN" healthcheck "http://$MINIO_ADDR/minio/health/ready" 30s \
  || { echo "MinIO did not start; see $RUN_DIR/minio.log"; exit 1; }

# The development identity provider: a new signing key every start, tokens
# for pages on the allowed origins. The demo tenant trusts it through a jwt
# block added to a copy of deploy/demo-tenants.yaml.
"$DEVIDP_BIN" -addr "$DEVIDP_ADDR" -audience demo-app -origins "$GATEWAY_CORS_ORIGINS" > "$RUN_DIR/devidp.log" 2>&1 &
pids+=($!)
"$GATEWAY_BIN" healthcheck "http://$DEVIDP_ADDR/jwks.json" 10s \
  || { echo "the development identity provider did not start; see $RUN_DIR/devidp.log"; exit 1; }
{
  cat deploy/demo-tenants.yaml
  cat <<YAML
    # Added by scripts/run.sh: user tokens of the development identity provider.
    jwt:
      issuer: http://$DEVIDP_ADDR
      audience: demo-app
      jwksUrl: http://$DEVIDP_ADDR/jwks.json
      scopes: [objects:read, objects:list, objects:write, objects:delete, events:read]
      buckets: [$DEMO_BUCKET]
      prefixTemplate: "users/{sub}/"
YAML
} > "$RUN_DIR/tenants.yaml"

export GATEWAY_NATS_LISTEN GATEWAY_DATA_DIR=$RUN_ABS/gateway-data
export GATEWAY_ADDR GATEWAY_TENANTS_FILE=$RUN_ABS/tenants.yaml GATEWAY_S3_ENDPOINT="http://$MINIO_ADDR"
GATEWAY_ADMIN_ACCESS_KEY=$MINIO_ROOT_USER GATEWAY_ADMIN_SECRET_KEY=$MINIO_ROOT_PASSWORD \
  "$GATEWAY_BIN" tenants provision >/dev/null

"$GATEWAY_BIN" &
pids+=($!)
"$GATEWAY_BIN" healthcheck "http://$GATEWAY_ADDR/healthz" 15s || { echo "the gateway did not start"; exit 1; }

# The users' bucket, created with the demo key (201, or 409 when an earlier
# run made it). Bash's /dev/tcp: make run needs nothing but Go.
create_bucket() {
  local body="{\"name\":\"$1\"}" status
  exec 3<>"/dev/tcp/${GATEWAY_ADDR%:*}/${GATEWAY_ADDR##*:}"
  printf 'POST /api/v1/buckets HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$GATEWAY_ADDR" "$DEMO_KEY" "${#body}" "$body" >&3
  read -r _ status _ <&3
  exec 3<&-
  [[ $status == 201 || $status == 409 ]]
}
create_bucket "$DEMO_BUCKET" || { echo "could not create the demo bucket $DEMO_BUCKET"; exit 1; }

cat <<INFO

  Gateway     http://$GATEWAY_ADDR
  API key     $DEMO_KEY   (tenant "demo", buckets stored as demo-*)
  Swagger UI  http://$GATEWAY_ADDR/swagger/index.html
  OpenAPI     http://$GATEWAY_ADDR/openapi.json
  MinIO       http://$MINIO_ADDR   (data in $RUN_DIR/minio-data, log in $RUN_DIR/minio.log)
  Events      embedded NATS on $GATEWAY_NATS_LISTEN (data in $RUN_DIR/gateway-data)
  Dev IdP     http://$DEVIDP_ADDR   (development only: user tokens at /token?sub=alice,
              for bucket "$DEMO_BUCKET" under users/<sub>/)
  Example     python3 -m http.server -d examples/browser 8081, then open
              http://127.0.0.1:8081/?gateway=http://$GATEWAY_ADDR&idp=http://$DEVIDP_ADDR&bucket=$DEMO_BUCKET

  Try:  curl -H "Authorization: Bearer $DEMO_KEY" http://$GATEWAY_ADDR/api/v1/buckets

  Ctrl-C stops the gateway, MinIO and the identity provider.

INFO
wait -n "${pids[@]}"
