// A round trip through the gateway with the generated types and
// openapi-fetch: create a bucket, upload an object (raw body), list it,
// presign a GET, download the object from the store with plain fetch and
// compare the bytes, then clean up. Any failure exits non-zero.
//
//   GATEWAY_URL=http://127.0.0.1:8080 GATEWAY_API_KEY=... npm run smoke

import { randomBytes } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./src/schema.js";

type ErrorResponse = components["schemas"]["ErrorResponse"];

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

// check throws unless the call returned data with the wanted status.
function check<T>(what: string, want: number, result: { data?: T; error?: ErrorResponse | undefined; response: Response }): T {
  const { data, error, response } = result;
  if (response.status !== want || data === undefined) {
    const detail = error ? `${error.error.code}: ${error.error.message}` : "no body";
    throw new Error(`${what}: status ${response.status}, want ${want} (${detail})`);
  }
  return data;
}

async function main(): Promise<void> {
  const client = createClient<paths>({
    baseUrl: env("GATEWAY_URL"),
    headers: { Authorization: `Bearer ${env("GATEWAY_API_KEY")}` },
  });

  const bucket = `ts${randomBytes(6).toString("hex")}`;
  const created = check("create bucket", 201, await client.POST("/api/v1/buckets", { body: { name: bucket } }));
  if (created.name !== bucket) {
    throw new Error(`created ${created.name}, want ${bucket}`);
  }

  // A name with a slash and a space: the path parameter is percent-encoded.
  const name = "smoke/hello world.txt";
  const content = `hello from TypeScript, ${new Date().toISOString()}\n`;
  const bytes = new TextEncoder().encode(content);
  let failure: unknown;
  try {
    const uploaded = check(
      "upload",
      201,
      await client.PUT("/api/v1/buckets/{bucket}/objects/{name}", {
        params: { path: { bucket, name } },
        body: content,
        // The body is the object's bytes as they are, not JSON.
        bodySerializer: (body) => body,
        headers: { "Content-Type": "text/plain" },
      }),
    );
    if (uploaded.name !== name || uploaded.size !== bytes.length) {
      throw new Error(`uploaded ${JSON.stringify(uploaded)}`);
    }

    const list = check(
      "list",
      200,
      await client.GET("/api/v1/buckets/{bucket}/objects", {
        params: { path: { bucket }, query: { prefix: "smoke/", recursive: true } },
      }),
    );
    const entry = list.objects.find((o) => o.name === name);
    if (!entry || entry.size !== bytes.length || entry.etag !== uploaded.etag || list.truncated) {
      throw new Error(`listing ${JSON.stringify(list)}`);
    }

    const presigned = check(
      "presign",
      200,
      await client.POST("/api/v1/buckets/{bucket}/presign", {
        params: { path: { bucket } },
        body: { method: "GET", name, expiresIn: 300 },
      }),
    );
    // Straight to the store: no gateway, no key.
    const download = await fetch(presigned.url);
    if (download.status !== 200) {
      throw new Error(`presigned GET: status ${download.status}`);
    }
    const got = new Uint8Array(await download.arrayBuffer());
    if (got.length !== bytes.length || got.some((b, i) => b !== bytes[i])) {
      throw new Error(`presigned GET returned ${JSON.stringify(new TextDecoder().decode(got))}`);
    }
  } catch (err) {
    failure = err;
  }

  // Clean up even after a failure; the first error is the one reported.
  try {
    const deleted = check(
      "delete objects",
      200,
      await client.POST("/api/v1/buckets/{bucket}/delete", { params: { path: { bucket } }, body: { names: [name] } }),
    );
    if (deleted.errors.length > 0) {
      throw new Error(`delete objects: ${JSON.stringify(deleted.errors)}`);
    }
    const { response } = await client.DELETE("/api/v1/buckets/{bucket}", { params: { path: { bucket } } });
    if (response.status !== 204) {
      throw new Error(`delete bucket: status ${response.status}`);
    }
  } catch (err) {
    if (failure === undefined) {
      failure = err;
    } else {
      console.error("smoke: cleanup:", err instanceof Error ? err.message : err);
    }
  }
  if (failure !== undefined) {
    throw failure;
  }
  console.log(`smoke: ok (bucket ${bucket}, ${bytes.length} bytes round-tripped)`);
}

main().catch((err: unknown) => {
  console.error("smoke:", err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
