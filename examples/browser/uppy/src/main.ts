// Resumable uploads from a browser: an Uppy dashboard that talks S3 to the
// store itself, each request presigned by the gateway. The whole glue is
// signRequest: one call of the generated client to POST …/presign.
import Uppy from "@uppy/core";
import Dashboard from "@uppy/dashboard";
import AwsS3 from "@uppy/aws-s3";
import GoldenRetriever from "@uppy/golden-retriever";
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

const uppy = new Uppy({ id: "gateway-example", autoProceed: false })
  .use(Dashboard, { inline: true, target: "#uppy", proudlyDisplayPoweredByUppy: false })
  // Keeps the files and each multipart upload's id across a reload: Uppy
  // then lists the parts the store has and sends only the rest.
  .use(GoldenRetriever)
  .use(AwsS3, {
    shouldUseMultipart: (file) => (file.size ?? 0) > 5 * 1024 * 1024,
    getChunkSize: () => 5 * 1024 * 1024,
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
uppy.on("upload-error", (_file, err) => console.log("upload error:", err?.message));
show("ready", settings.bucket ? `ready to upload to ${settings.bucket}` : "add ?gateway=…&key=…&bucket=… to the address");

// For the tests: the page's Uppy.
(window as unknown as { uppy: typeof uppy }).uppy = uppy;
