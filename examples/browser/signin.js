// Signing in as a user: a token from an identity provider, and what the
// gateway says the credential may do.
//
// The token comes from the development identity provider that make run
// starts (cmd/devidp): GET <idp>/token?sub=<user> answers an OAuth 2.0
// token response, no password asked. A real app gets its token from the
// tenant's OpenID Connect provider with the authorization code flow and
// PKCE instead (README, "How a web or mobile app gets a user token"); the
// rest of the page does not change: the token is sent as
// "Authorization: Bearer <token>" like an API key.

// fetchToken asks the identity provider for user's token and returns
// {token, expiresAt} (expiresAt in milliseconds since the epoch).
export async function fetchToken(idp, user) {
  const url = `${idp.replace(/\/+$/, "")}/token?${new URLSearchParams({ sub: user })}`;
  let res;
  try {
    res = await fetch(url, { cache: "no-store" });
  } catch (err) {
    throw new Error(`the identity provider at ${idp} cannot be reached (${err.message})`);
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(`the identity provider refused: ${body.error_description || `HTTP ${res.status}`}`);
  }
  return { token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
}

// showWhoami fills the credential's description (a <dl> whose <dd>
// elements have data-field) from GET /api/v1/whoami's answer; null clears it.
export function showWhoami(list, who) {
  const text = {
    kind: who ? describeKind(who.kind) : "–",
    id: who ? who.id : "–",
    tenant: who ? who.tenant : "–",
    scopes: who ? who.scopes.join(", ") || "(none)" : "–",
    buckets: who ? (who.buckets || []).join(", ") || "all of the tenant's" : "–",
    prefix: who ? who.prefix || "(any name)" : "–",
    expires: who ? describeExpiry(who.expires) : "–",
  };
  for (const dd of list.querySelectorAll("dd[data-field]")) {
    dd.textContent = text[dd.dataset.field];
    dd.dataset.value = who ? JSON.stringify(who[dd.dataset.field] ?? null) : "";
  }
  list.dataset.state = who ? who.kind : "none";
}

function describeKind(kind) {
  const what = { tenant: "tenant key: everything", scoped: "scoped key", jwt: "user token" }[kind];
  return what ? `${kind} (${what})` : kind;
}

function describeExpiry(expires) {
  if (!expires) {
    return "never";
  }
  const minutes = Math.round((Date.parse(expires) - Date.now()) / 60000);
  return `${expires} (in ${minutes} min)`;
}
