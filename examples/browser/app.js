// The browser example: list a bucket, upload with a presigned POST, and
// follow the bucket's live events, with an API key or signed in as a user
// (signin.js). Plain ES modules, no build step.
//
// Authentication: every call to the gateway sends "Authorization: Bearer
// <credential>", an API key or a user token alike. The event stream too:
// EventSource cannot send headers, so the stream is read with fetch and
// parsed here (readEventStream), which keeps the credential out of URLs,
// where logs and browser history would keep it.

import { fetchToken, showWhoami } from "./signin.js";

const $ = (id) => document.getElementById(id);

// session: {gateway, bucket, key, prefix, stop: AbortController} and, when
// signed in as a user, {idp, user, expiresAt} to renew the token.
let session = null;

// credential is the session's key or token; a token about to expire is
// renewed first.
async function credential() {
  if (session.idp && Date.now() > session.expiresAt - 60000) {
    const { token, expiresAt } = await fetchToken(session.idp, session.user);
    Object.assign(session, { key: token, expiresAt });
  }
  return session.key;
}

// api calls the gateway and returns the decoded JSON body (null for 204).
// Failures throw the contract's error: "code: message (request id)".
async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${await credential()}` };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(session.gateway + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    throw await apiError(res);
  }
  return res.status === 204 ? null : res.json();
}

async function apiError(res) {
  try {
    const { error } = await res.json();
    return new Error(`${error.code}: ${error.message} (request ${error.requestId})`);
  } catch {
    return new Error(`HTTP ${res.status}`);
  }
}

const bucketPath = () => `/api/v1/buckets/${encodeURIComponent(session.bucket)}`;

function showError(err) {
  $("error").textContent = err ? String(err.message || err) : "";
}

// Objects.

async function listObjects() {
  const rows = [];
  let cursor = "";
  do {
    const query = new URLSearchParams({ recursive: "true", limit: "1000" });
    if (session.prefix) {
      query.set("prefix", session.prefix); // a prefix-limited credential lists only there
    }
    if (cursor) {
      query.set("cursor", cursor);
    }
    const page = await api("GET", `${bucketPath()}/objects?${query}`);
    rows.push(...page.objects);
    cursor = page.truncated ? page.nextCursor : "";
  } while (cursor);

  const body = $("objects");
  body.replaceChildren(
    ...rows.map((o) => {
      const tr = document.createElement("tr");
      tr.dataset.name = o.name;
      for (const [text, cls] of [[o.name, ""], [String(o.size), "size"], [o.lastModified, ""]]) {
        const td = document.createElement("td");
        td.textContent = text;
        if (cls) {
          td.className = cls;
        }
        tr.append(td);
      }
      return tr;
    }),
  );
}

// Upload: the gateway signs a POST policy, and the browser sends the file
// to the store itself; the bytes never pass through the gateway.
async function upload(file, prefix) {
  const name = prefix + file.name;
  const contentType = file.type || "application/octet-stream";
  const policy = await api("POST", `${bucketPath()}/presign-post`, { name, contentType, expiresIn: 600 });

  const form = new FormData();
  for (const [field, value] of Object.entries(policy.formData)) {
    form.append(field, value);
  }
  if (!("key" in policy.formData)) {
    form.append("key", name);
  }
  if (!("Content-Type" in policy.formData)) {
    form.append("Content-Type", contentType);
  }
  form.append("file", file); // the store reads fields up to the file: it comes last
  const res = await fetch(policy.url, { method: "POST", body: form });
  if (!res.ok) {
    throw new Error(`the store refused the upload: HTTP ${res.status} ${await res.text()}`);
  }
  return name;
}

// Live events.

// readEventStream reads a text/event-stream response body and calls
// onMessage({event, data}) for each message and onComment(text) for each
// comment line, until the stream ends.
async function readEventStream(body, onMessage, onComment) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let event = "";
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffered += value;
    const lines = buffered.split(/\r\n|\r|\n/);
    buffered = lines.pop(); // an incomplete line waits for more
    for (const line of lines) {
      if (line === "") {
        if (data.length > 0) {
          onMessage({ event: event || "message", data: data.join("\n") });
        }
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) {
        onComment(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let text = colon < 0 ? "" : line.slice(colon + 1);
      if (text.startsWith(" ")) {
        text = text.slice(1);
      }
      if (field === "event") {
        event = text;
      } else if (field === "data") {
        data.push(text);
      }
    }
  }
}

function setStreamState(state, text) {
  const el = $("stream-status");
  el.dataset.state = state;
  el.textContent = text || state;
}

function showEvent(ev) {
  const li = document.createElement("li");
  li.dataset.type = ev.type;
  li.dataset.name = ev.name;
  li.textContent = `${ev.time}  ${ev.type}  ${ev.name}  (${ev.size} bytes)`;
  $("events").prepend(li);
}

// followEvents keeps the event stream open until signal aborts, connecting
// again (with a growing pause) when it drops.
async function followEvents(signal) {
  let pause = 1000;
  while (!signal.aborted) {
    setStreamState("connecting");
    try {
      const res = await fetch(`${session.gateway}${bucketPath()}/events`, {
        headers: { Authorization: `Bearer ${await credential()}`, Accept: "text/event-stream" },
        cache: "no-store",
        signal,
      });
      if (!res.ok) {
        const err = await apiError(res);
        if (res.status === 401 || res.status === 403 || res.status === 404) {
          setStreamState("error", "stopped");
          showError(err);
          return; // connecting again would not help
        }
        throw err;
      }
      await readEventStream(
        res.body,
        ({ event, data }) => {
          if (event.startsWith("s3:")) {
            showEvent(JSON.parse(data));
          }
        },
        (comment) => {
          if (comment === "connected") {
            setStreamState("live");
            pause = 1000;
          }
        },
      );
    } catch (err) {
      if (signal.aborted) {
        break;
      }
      console.warn("event stream:", err.message);
    }
    if (!signal.aborted) {
      setStreamState("connecting", "reconnecting");
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 15000);
    }
  }
  setStreamState("closed", "not connected");
}

// Wiring.

// start opens a session with credential fields (key, or idp, user and
// expiresAt): it asks the gateway what the credential may do, shows it,
// takes the bucket from the credential when none is given, keeps uploads
// and listings within the credential's prefix, and follows the events.
async function start(fields) {
  if (session) {
    session.stop.abort();
  }
  session = {
    gateway: $("gateway").value.trim().replace(/\/+$/, ""),
    bucket: $("bucket").value.trim(),
    prefix: "",
    stop: new AbortController(),
    ...fields,
  };
  showError(null);
  showWhoami($("whoami"), null);
  $("events").replaceChildren();
  $("objects").replaceChildren();
  try {
    const who = await api("GET", "/api/v1/whoami");
    showWhoami($("whoami"), who);
    session.prefix = who.prefix || "";
    if (!session.bucket && who.buckets?.length) {
      session.bucket = $("bucket").value = who.buckets[0];
    }
    if (!session.bucket) {
      throw new Error("enter a bucket: this credential is not limited to one");
    }
    if (session.prefix) {
      $("prefix").value = session.prefix;
    }
    $("refresh").disabled = false;
    $("upload").disabled = false;
    followEvents(session.stop.signal);
    await listObjects();
  } catch (err) {
    showError(err);
  }
}

function connect() {
  return start({ key: $("key").value });
}

// signIn gets the user's token and uses it as the credential.
async function signIn() {
  const idp = $("idp").value.trim();
  const user = $("user").value.trim();
  try {
    const { token, expiresAt } = await fetchToken(idp, user);
    await start({ key: token, idp, user, expiresAt });
  } catch (err) {
    showError(err);
  }
}

$("connection").addEventListener("submit", (e) => {
  e.preventDefault();
  connect();
});

$("signin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  signIn();
});

const signInLabel = () => {
  $("signin").textContent = `Sign in as ${$("user").value.trim() || "…"}`;
};
$("user").addEventListener("input", signInLabel);

$("refresh").addEventListener("click", () => listObjects().catch(showError));

$("upload-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const file = $("file").files[0];
  const status = $("upload-status");
  if (!file || !session) {
    return;
  }
  status.dataset.state = "uploading";
  status.textContent = `uploading ${file.name}…`;
  try {
    const name = await upload(file, $("prefix").value);
    status.dataset.state = "done";
    status.textContent = `uploaded ${name}`;
    await listObjects();
  } catch (err) {
    status.dataset.state = "error";
    status.textContent = "upload failed";
    showError(err);
  }
});

// Fields from the query string; with a gateway, a key and a bucket the page
// connects at once. Signing in as a user waits for the button.
const params = new URLSearchParams(location.search);
for (const id of ["gateway", "key", "bucket", "idp", "user"]) {
  if (params.has(id)) {
    $(id).value = params.get(id);
  }
}
signInLabel();
if (location.search) {
  history.replaceState(null, "", location.pathname); // keep the key out of history
}
if ($("gateway").value && $("key").value && $("bucket").value) {
  connect();
}
