// Resumable uploads from a browser: an Uppy dashboard that talks S3 to the
// store itself, each request presigned by the gateway. The whole glue is
// signRequest: one call of the generated client to POST …/presign.
import Uppy from "@uppy/core";
import Dashboard from "@uppy/dashboard";
import AwsS3 from "@uppy/aws-s3";
import GoldenRetriever, { type GoldenRetrieverOptions } from "@uppy/golden-retriever";
import createClient from "openapi-fetch";
import "@uppy/core/css/style.min.css";
import "@uppy/dashboard/css/style.min.css";

import type { paths } from "../../../../clients/ts/src/schema";

// gateway, key and bucket come from the query once, and are kept for the
// tab's session so that a reload can resume (the key leaves the address bar).
const settings = (() => {
  const params = new URLSearchParams(location.search);
  const read = (name: string) => params.get(name) ?? sessionStorage.getItem("uppy-example-" + name) ?? "";
  const s = { gateway: read("gateway"), key: read("key"), bucket: read("bucket") };
  for (const [name, value] of Object.entries(s)) sessionStorage.setItem("uppy-example-" + name, value);
  if (params.has("key")) history.replaceState(null, "", location.pathname);
  return s;
})();

const api = createClient<paths>({
  baseUrl: settings.gateway,
  headers: { Authorization: `Bearer ${settings.key}` },
});

const status = document.getElementById("status")!;
function show(state: string, text: string) {
  status.dataset.state = state;
  status.textContent = text;
}

// Golden Retriever keeps each file's state, the multipart upload's id with
// it, and a copy of the file in the browser's IndexedDB until the file is
// uploaded: after a reload Uppy lists the parts the store has and sends only
// the rest. Its default keeps no copy of a file over 10 MiB (that one must be
// added again); these limits are passed on to its IndexedDB store, which the
// plugin's type does not declare. The service-worker store is not used: it
// holds files in the worker's memory, which the browser drops once the worker
// has been idle for 30 seconds.
const MiB = 1024 * 1024;
const keptInBrowser = { maxFileSize: 1024 * MiB, maxTotalSize: 2048 * MiB };

const uppy = new Uppy({ id: "gateway-example", autoProceed: false })
  .use(Dashboard, { inline: true, target: "#uppy", proudlyDisplayPoweredByUppy: false })
  .use(GoldenRetriever, { indexedDB: keptInBrowser as GoldenRetrieverOptions["indexedDB"] })
  .use(AwsS3, {
    shouldUseMultipart: (file) => (file.size ?? 0) > 5 * MiB,
    getChunkSize: () => 5 * MiB,
    generateObjectKey: (file) => "uploads/" + file.name,
    async signRequest(request) {
      const { data, error } = await api.POST("/api/v1/buckets/{bucket}/presign", {
        params: { path: { bucket: settings.bucket } },
        body: {
          method: request.method,
          name: request.key,
          uploadId: "uploadId" in request ? request.uploadId : undefined,
          partNumber: "partNumber" in request ? request.partNumber : undefined,
        },
      });
      if (error) throw new Error(`${error.error.code}: ${error.error.message}`);
      return data;
    },
  });

uppy.on("progress", (p) => show("uploading", `uploading: ${p}%`));
uppy.on("s3-multipart:part-uploaded", (_file, part) => {
  status.dataset.parts = String(Number(status.dataset.parts ?? "0") + 1);
  console.log(`part ${part.PartNumber} uploaded`);
});
uppy.on("complete", (result) => {
  if ((result.failed ?? []).length > 0) show("error", "failed: " + result.failed!.map((f) => f.error).join("; "));
  else if ((result.successful ?? []).length > 0) show("done", "uploaded: " + result.successful!.map((f) => f.name).join(", "));
});
// After a reload: the files Golden Retriever brought back, and those whose
// bytes it did not keep (the dashboard asks for them again).
uppy.on("restored", () => {
  const files = uppy.getFiles();
  if (files.length === 0) return;
  const missing = files.filter((f) => f.isGhost).length;
  show("restored", missing > 0
    ? `restored ${files.length} file(s); add ${missing} of them again to resume`
    : `restored ${files.length} file(s): press Upload to resume`);
});
uppy.on("upload-error", (_file, err) => console.log("upload error:", err?.message));
show("ready", settings.bucket ? `ready to upload to ${settings.bucket}` : "add ?gateway=…&key=…&bucket=… to the address");

// For the tests: the page's Uppy.
(window as unknown as { uppy: typeof uppy }).uppy = uppy;
