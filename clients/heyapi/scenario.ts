// A scenario against a live gateway, through the client @hey-api/openapi-ts
// generates from openapi/openapi.json (SDK functions and fetch runtime) with
// its defaults: no request here is written by hand. Run by the Go test
// integration/heyapi_test.go (GATEWAY_URL, GATEWAY_API_KEY).
import { createHash, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';

import { createClient, createConfig } from './src/client/client/index.js';
import {
  copyObject, createBucket, deleteBucket, deleteObject, deleteObjects, getBucketNotifications,
  getBucketPolicy, getObject, headObject, listObjects, presignObject, putBucketPolicy, putObject,
  statObject, uploadObjectForm,
} from './src/client/sdk.gen.js';
import type { ErrorResponse } from './src/client/types.gen.js';

const baseUrl = process.env.GATEWAY_URL;
const apiKey = process.env.GATEWAY_API_KEY;
if (!baseUrl || !apiKey) throw new Error('GATEWAY_URL and GATEWAY_API_KEY must be set');

const client = createClient(createConfig({ baseUrl, auth: apiKey }));
const stranger = createClient(createConfig({ baseUrl, auth: 'not-a-key-of-anyone-0123456789abcdef' }));

const bucket = 'hey' + randomBytes(5).toString('hex');

// expectError checks a failed call's status and its typed error body.
function expectError(res: { error?: unknown; response: Response }, status: number, code: string): void {
  assert.equal(res.response.status, status, `want ${status} ${code}`);
  const body = res.error as ErrorResponse;
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 0);
  assert.equal(body.error.requestId, res.response.headers.get('X-Request-ID'));
}

async function bytesOf(blob: Blob): Promise<Buffer> {
  return Buffer.from(await blob.arrayBuffer());
}

async function download(name: string, headers?: Record<string, string>) {
  return getObject({ client, path: { bucket, name }, headers, parseAs: 'blob' });
}

async function main(): Promise<void> {
  const made = await createBucket({ client, body: { name: bucket } });
  assert.equal(made.response.status, 201, JSON.stringify(made.error));
  expectError(await createBucket({ client, body: { name: bucket } }), 409, 'BucketAlreadyExists');
  expectError(await createBucket({ client, body: { name: 'Bad_Name' } }), 400, 'InvalidBucketName');
  expectError(await createBucket({ client: stranger, body: { name: bucket } }), 401, 'Unauthorized');

  // Uploads: text and binary, with and without an explicit content type,
  // under names that need every kind of encoding.
  const text = 'hello, third-party client\n';
  const binary = randomBytes(70_000);
  const names = ['dir/a b.txt', 'plus+sign.txt', 'per%cent.txt', 'hash#tag.txt', 'what?.txt', 'ünï/中文.txt'];
  const stored = new Map<string, Buffer>();
  for (const name of names) {
    const up = await putObject({ client, path: { bucket, name }, body: new Blob([text]), headers: { 'Content-Type': 'text/plain' } });
    assert.equal(up.response.status, 201, `${name}: ${JSON.stringify(up.error)}`);
    assert.equal(up.data?.name, name);
    stored.set(name, Buffer.from(text));
  }
  const bin = await putObject({ client, path: { bucket, name: 'bin/random.bin' }, body: new Blob([binary]) });
  assert.equal(bin.response.status, 201);
  stored.set('bin/random.bin', binary);
  const plain = await putObject({ client, path: { bucket, name: 'bin/default.txt' }, body: new Blob([text]) });
  assert.equal(plain.response.status, 201);
  stored.set('bin/default.txt', Buffer.from(text));
  const sha = createHash('sha256').update(binary).digest('base64');
  const digested = await putObject({
    client, path: { bucket, name: 'bin/digested.bin' }, body: new Blob([binary]),
    headers: { 'Content-Type': 'image/png', 'Repr-Digest': `sha-256=:${sha}:` },
  });
  assert.equal(digested.response.status, 201);
  stored.set('bin/digested.bin', binary);
  const form = await uploadObjectForm({ client, path: { bucket }, query: { name: 'form/q+a.txt' }, body: { file: new Blob([text]) } });
  assert.equal(form.response.status, 201, JSON.stringify(form.error));
  assert.equal(form.data?.name, 'form/q+a.txt');
  stored.set('form/q+a.txt', Buffer.from(text));

  // Listing with a cursor, to the end: every name exactly once.
  const seen: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listObjects({ client, path: { bucket }, query: { recursive: true, limit: 3, ...(cursor ? { cursor } : {}) } });
    assert.equal(page.response.status, 200);
    seen.push(...page.data!.objects.map((o) => o.name));
    if (!page.data!.truncated) break;
    cursor = page.data!.nextCursor;
  }
  assert.deepEqual([...seen].sort(), [...stored.keys()].sort());

  // Stat, download (bytes equal), content types as stored.
  const st = await statObject({ client, path: { bucket, name: 'ünï/中文.txt' } });
  assert.equal(st.data?.size, text.length);
  assert.equal(st.data?.contentType, 'text/plain');
  for (const [name, want] of stored) {
    const got = await download(name);
    assert.equal(got.response.status, 200, name);
    assert.ok((await bytesOf(got.data as Blob)).equals(want), `${name}: bytes differ`);
  }
  const def = await statObject({ client, path: { bucket, name: 'bin/default.txt' } });
  assert.equal(def.data?.contentType, 'application/octet-stream');
  const dg = await download('bin/digested.bin');
  assert.equal(dg.response.headers.get('Repr-Digest'), `sha-256=:${sha}:`);
  assert.equal(dg.response.headers.get('Content-Type'), 'image/png');

  // Range, conditional GET and HEAD.
  const part = await download('bin/random.bin', { Range: 'bytes=10-19' });
  assert.equal(part.response.status, 206);
  assert.ok((await bytesOf(part.data as Blob)).equals(binary.subarray(10, 20)));
  expectError(await download('bin/random.bin', { Range: 'bytes=900000-' }), 416, 'InvalidRange');
  const etag = bin.response.headers.get('ETag')!;
  assert.equal((await download('bin/random.bin', { 'If-None-Match': etag })).response.status, 304);
  expectError(await download('bin/random.bin', { 'If-Match': '"nope"' }), 412, 'PreconditionFailed');
  const head = await headObject({ client, path: { bucket, name: 'bin/random.bin' } });
  assert.equal(head.response.headers.get('Content-Length'), String(binary.length));
  expectError(await download('missing.txt'), 404, 'NoSuchKey');

  // Conditional writes.
  expectError(await putObject({ client, path: { bucket, name: 'bin/random.bin' }, body: new Blob(['x']), headers: { 'If-None-Match': '*' } }), 412, 'PreconditionFailed');
  const replaced = await putObject({ client, path: { bucket, name: 'bin/random.bin' }, body: new Blob([binary]), headers: { 'If-Match': etag } });
  assert.equal(replaced.response.status, 201);
  expectError(await putObject({ client, path: { bucket, name: 'bad.bin' }, body: new Blob(['x']), headers: { 'Repr-Digest': `sha-256=:${sha}:` } }), 400, 'BadDigest');

  // Copy, batch delete.
  const copied = await copyObject({ client, path: { bucket }, body: { name: 'copies/c.txt', source: { name: 'plus+sign.txt' } } });
  assert.equal(copied.response.status, 201, JSON.stringify(copied.error));
  assert.equal((await bytesOf((await download('copies/c.txt')).data as Blob)).toString(), text);

  // Policy, notifications.
  const pol = await putBucketPolicy({ client, path: { bucket }, body: { prefix: 'public/', policy: 'readonly' } });
  assert.equal(pol.response.status, 200, JSON.stringify(pol.error));
  const got = await getBucketPolicy({ client, path: { bucket }, query: { prefix: 'public/' } });
  assert.equal(got.data?.policy, 'readonly');
  assert.equal(typeof got.data?.document, 'object');
  const notes = await getBucketNotifications({ client, path: { bucket } });
  assert.equal(notes.response.status, 200);
  assert.ok(Array.isArray(notes.data?.queueConfigurations));

  // A presigned GET, fetched from the store.
  const signed = await presignObject({ client, path: { bucket }, body: { method: 'GET', name: 'ünï/中文.txt', expiresIn: 300 } });
  assert.equal(signed.response.status, 200, JSON.stringify(signed.error));
  const fetched = await fetch(signed.data!.url);
  assert.equal(fetched.status, 200);
  assert.equal(await fetched.text(), text);

  const all = [...stored.keys(), 'copies/c.txt'];
  const del = await deleteObjects({ client, path: { bucket }, body: { names: all } });
  assert.deepEqual([...del.data!.deleted].sort(), [...all].sort());
  assert.equal(del.data?.errors.length, 0);
  assert.equal((await deleteObject({ client, path: { bucket, name: 'gone.txt' } })).response.status, 204);
  assert.equal((await deleteBucket({ client, path: { bucket } })).response.status, 204);
  console.log(`hey-api scenario: ${stored.size} objects, every step passed`);
}

main().catch(async (err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
