import { describe, expect, test } from "vitest";
import { MetadataDocumentError } from "./metadata-document-fetch";
import { clientIdUrlProblem, metadataDocumentExpiresAt, validateMetadataDocument } from "./metadata-documents";

const CLIENT_ID = "https://app.example.com/oauth/client.json";
const valid = { client_id: CLIENT_ID, client_name: "Example", redirect_uris: ["https://app.example.com/callback", "http://127.0.0.1/callback"] };

function problemOf(document: Record<string, unknown>): string {
  try {
    validateMetadataDocument(CLIENT_ID, document);
  } catch (error) {
    expect(error).toBeInstanceOf(MetadataDocumentError);
    return (error as Error).message.replace("The metadata document at the client_id URL is not usable: ", "");
  }
  throw new Error("the document was accepted");
}

describe("the client_id URL", () => {
  test.each([
    "https://app.example.com/oauth/client.json",
    "https://app.example.com/",
    "https://app.example.com:8443/client?version=2",
  ])("accepts %s", (url) => {
    expect(clientIdUrlProblem(url)).toBeNull();
  });

  test.each([
    ["http://app.example.com/client.json", "A client_id URL must use https."],
    ["https://app.example.com", "A client_id URL must have a path, such as https://app.example/oauth/client.json."],
    ["https://app.example.com?x=1", "A client_id URL must have a path, such as https://app.example/oauth/client.json."],
    ["https://app.example.com/client.json#part", "A client_id URL must not contain a fragment (#)."],
    ["https://app.example.com/a/../client.json", "A client_id URL must not contain dot segments (/./ or /../)."],
    ["https://app.example.com/a/%2e%2e/client.json", "A client_id URL must not contain dot segments (/./ or /../)."],
    ["https://app.example.com/./client.json", "A client_id URL must not contain dot segments (/./ or /../)."],
    ["https://user:pass@app.example.com/client.json", "A client_id URL must not contain credentials."],
    ["https://localhost/client.json", "A client_id URL must be on a public host name, not an IP address or an internal name such as localhost."],
    ["https://10.0.0.1/client.json", "A client_id URL must be on a public host name, not an IP address or an internal name such as localhost."],
    ["https://2130706433/client.json", "A client_id URL must be on a public host name, not an IP address or an internal name such as localhost."],
    ["https://metadata/computeMetadata", "A client_id URL must be on a public host name, not an IP address or an internal name such as localhost."],
    ["https://printer.internal/client.json", "A client_id URL must be on a public host name, not an IP address or an internal name such as localhost."],
    [`https://app.example.com/${"a".repeat(200)}`, "A client_id URL is at most 200 characters."],
  ])("refuses %s", (url, problem) => {
    expect(clientIdUrlProblem(url)).toBe(problem);
  });

  test("admits the loopback names only with the test-only setting", () => {
    expect(clientIdUrlProblem("https://localhost:8443/client.json", { allowLoopback: true })).toBeNull();
    expect(clientIdUrlProblem("https://127.0.0.1:8443/client.json", { allowLoopback: true })).toBeNull();
    expect(clientIdUrlProblem("https://10.0.0.1/client.json", { allowLoopback: true })).toMatch(/public host name/);
  });
});

describe("the document", () => {
  test("a document that names itself and its redirect URIs is accepted as a public client", () => {
    expect(validateMetadataDocument(CLIENT_ID, { ...valid, unknown_extension: "kept out" })).toMatchObject({
      client_id: CLIENT_ID,
      client_name: "Example",
      redirect_uris: valid.redirect_uris,
      token_endpoint_auth_method: "none",
    });
    expect(validateMetadataDocument(CLIENT_ID, { ...valid, token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] })).toBeTruthy();
    expect(
      validateMetadataDocument(CLIENT_ID, { ...valid, token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://app.example.com/keys/jwks.json" }),
    ).toMatchObject({ token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://app.example.com/keys/jwks.json" });
  });

  test.each<[string, unknown, string | RegExp]>([
    ["not an object", [], "it is not a JSON object."],
    ["another client_id", { ...valid, client_id: "https://app.example.com/other.json" }, "its client_id must be exactly the URL it is served at."],
    ["a client_id that differs only in form", { ...valid, client_id: "https://APP.example.com/oauth/client.json" }, "its client_id must be exactly the URL it is served at."],
    ["a client_secret", { ...valid, client_secret: "s" }, "it must not contain client_secret, which only the authorization server sets."],
    ["skip_consent", { ...valid, skip_consent: true }, "it must not contain skip_consent, which only the authorization server sets."],
    ["no redirect URIs", { ...valid, redirect_uris: [] }, "it must list its redirect_uris."],
    ["a javascript: redirect URI", { ...valid, redirect_uris: ["javascript:alert(1)"] }, /javascript:/],
    ["plain http off loopback", { ...valid, redirect_uris: ["http://app.example.com/callback"] }, "Plain http is allowed only for localhost, 127.0.0.1 or [::1]."],
    ["a redirect URI with a fragment", { ...valid, redirect_uris: ["https://app.example.com/cb#x"] }, "A redirect URI must not contain a fragment (#)."],
    ["eleven redirect URIs", { ...valid, redirect_uris: Array.from({ length: 11 }, (_, index) => `https://app.example.com/${index}`) }, "Register at most 10 redirect URIs."],
    ["a secret-based method", { ...valid, token_endpoint_auth_method: "client_secret_basic" }, "token_endpoint_auth_method client_secret_basic needs a shared secret, which a published document cannot hold. Use none with PKCE, or private_key_jwt."],
    ["another method", { ...valid, token_endpoint_auth_method: "tls_client_auth" }, 'token_endpoint_auth_method must be "none" (PKCE only) or "private_key_jwt" (with a jwks_uri).'],
    ["private_key_jwt without keys", { ...valid, token_endpoint_auth_method: "private_key_jwt" }, "private_key_jwt needs a jwks_uri where the client publishes its public keys."],
    ["private_key_jwt with inline keys", { ...valid, token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [] } }, "publish the client's public keys at a jwks_uri, not inline in jwks."],
    ["private_key_jwt with keys elsewhere", { ...valid, token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://keys.example.net/jwks.json" }, "jwks_uri must be an https URL on the same origin as the client_id URL."],
    ["private_key_jwt with keys over http", { ...valid, token_endpoint_auth_method: "private_key_jwt", jwks_uri: "http://app.example.com/jwks.json" }, "jwks_uri must be an https URL on the same origin as the client_id URL."],
    ["published keys", { ...valid, jwks_uri: "https://app.example.com/jwks.json" }, "a client that authenticates with none publishes no keys: leave out jwks and jwks_uri, or use private_key_jwt."],
    ["client_credentials", { ...valid, grant_types: ["authorization_code", "client_credentials"] }, "grant_types may hold authorization_code and refresh_token only: such a client always acts for a person."],
    ["a logo on an internal host", { ...valid, logo_uri: "https://192.168.0.1/logo.png" }, "logo_uri must be an https URL on a public host name, not an IP address or an internal name such as localhost."],
    ["a long name", { ...valid, client_name: "n".repeat(101) }, "client_name is at most 100 characters."],
    ["a malformed field", { ...valid, contacts: "me@example.com" }, "contacts is malformed."],
  ])("%s is refused with what is wrong", (_case, document, problem) => {
    if (problem instanceof RegExp) expect(problemOf(document as Record<string, unknown>)).toMatch(problem);
    else expect(problemOf(document as Record<string, unknown>)).toBe(problem);
  });
});

describe("how long a document is used", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const minutes = (date: Date) => (date.getTime() - now.getTime()) / 60_000;
  const expiry = (headers: Record<string, string>) => minutes(metadataDocumentExpiresAt(new Headers(headers), now));

  test("follows max-age (less Age) and Expires within five minutes and a day, an hour when nothing is said", () => {
    expect(expiry({})).toBe(60);
    expect(expiry({ "cache-control": "public, max-age=1800" })).toBe(30);
    expect(expiry({ "cache-control": "max-age=1800", age: "600" })).toBe(20);
    expect(expiry({ "cache-control": "max-age=60" })).toBe(5);
    expect(expiry({ "cache-control": "no-store" })).toBe(5);
    expect(expiry({ "cache-control": "no-cache, max-age=3600" })).toBe(5);
    expect(expiry({ "cache-control": "max-age=31536000" })).toBe(24 * 60);
    expect(expiry({ "cache-control": "s-maxage=7200, max-age=60" })).toBe(120);
    expect(expiry({ expires: "Thu, 01 Jan 2026 02:00:00 GMT", date: "Thu, 01 Jan 2026 00:00:00 GMT" })).toBe(120);
    expect(expiry({ expires: "0" })).toBe(5);
    expect(expiry({ "cache-control": "max-age=banana" })).toBe(60);
  });
});
