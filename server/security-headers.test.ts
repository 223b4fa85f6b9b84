import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { expect, test } from "vitest";
import { contentSecurityPolicy, createNonce, EMPTY_STYLE_HASH, LIBRARY_STYLE_HASHES, nonceFromPolicy, NO_REFERRER_PAGES, pageSecurityHeaders, referrerPolicyFor, STATIC_SECURITY_HEADERS } from "./security-headers";

const directives = (csp: string) => new Map(csp.split("; ").map((directive) => [directive.split(" ")[0]!, directive]));

test("production pages allow scripts and styles by nonce only, frame nothing and post forms only here", () => {
  const csp = directives(contentSecurityPolicy({ nonce: "abc", development: false, https: false }));
  expect(csp.get("script-src")).toBe("script-src 'self' 'nonce-abc' 'strict-dynamic'");
  expect(csp.get("style-src")).toBe(`style-src 'self' 'nonce-abc' ${LIBRARY_STYLE_HASHES.map((hash) => `'${hash}'`).join(" ")}`);
  expect(csp.get("frame-ancestors")).toBe("frame-ancestors 'none'");
  expect(csp.get("object-src")).toBe("object-src 'none'");
  expect(csp.get("base-uri")).toBe("base-uri 'none'");
  expect(csp.get("form-action")).toBe("form-action 'self'");
  expect(csp.has("upgrade-insecure-requests")).toBe(false);
  expect([...csp.values()].join(";")).not.toMatch(/unsafe/);
});

test("development adds only what React's tooling needs", () => {
  const csp = directives(contentSecurityPolicy({ nonce: "abc", development: true, https: false }));
  expect(csp.get("script-src")).toBe("script-src 'self' 'nonce-abc' 'strict-dynamic' 'unsafe-eval'");
  expect(csp.get("style-src")).toBe("style-src 'self' 'unsafe-inline'");
});

test("HSTS and upgrade-insecure-requests only when PUBLIC_URL is https", () => {
  const plain = pageSecurityHeaders({ pathname: "/", nonce: "n", publicUrl: "http://localhost:3000", development: false });
  expect(plain["Strict-Transport-Security"]).toBeUndefined();
  const tls = pageSecurityHeaders({ pathname: "/", nonce: "n", publicUrl: "https://gatehouse.example.com", development: false });
  expect(tls["Strict-Transport-Security"]).toBe("max-age=31536000");
  expect(tls["Content-Security-Policy"]).toContain("upgrade-insecure-requests");
});

test("pages carrying codes send no referrer; the console's send their origin across sites", () => {
  for (const page of ["/consent", "/reset-password", "/invite", "/verify-email", "/setup", "/sign-in", "/two-factor", "/enrol-mfa"]) {
    expect(referrerPolicyFor(page)).toBe("no-referrer");
  }
  for (const page of ["/", "/users", "/clients/abc", "/consenting", "/sign-inx"]) expect(referrerPolicyFor(page)).toBe("strict-origin-when-cross-origin");
});

test("every page of the (auth) group, where codes and OAuth requests arrive, is on the no-referrer list", () => {
  const authPages = readdirSync(path.join(import.meta.dirname, "..", "app", "(auth)"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `/${entry.name}`);
  expect(authPages.filter((page) => !NO_REFERRER_PAGES.includes(page))).toEqual([]);
});

test("nonces are 128 random bits, new every time", () => {
  const nonces = new Set(Array.from({ length: 100 }, createNonce));
  expect(nonces.size).toBe(100);
  for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
});

test("the static headers are the same on every response", () => {
  expect(Object.fromEntries(STATIC_SECURITY_HEADERS.map(({ key, value }) => [key, value]))).toMatchObject({
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
  });
});

test("the style hash the policy allows is the one of the CSS the installed sonner inserts, and nothing else", () => {
  const source = readFileSync(createRequire(import.meta.url).resolve("sonner"), "utf8");
  const inserted = [...source.matchAll(/__insertCSS\(("(?:[^"\\]|\\.)*")\)/g)].map((match) => JSON.parse(match[1]!) as string);
  expect(inserted).toHaveLength(1);
  const hash = `sha256-${createHash("sha256").update(inserted[0]!).digest("base64")}`;
  expect(LIBRARY_STYLE_HASHES).toEqual([EMPTY_STYLE_HASH, hash]);
  expect(EMPTY_STYLE_HASH).toBe(`sha256-${createHash("sha256").update("").digest("base64")}`);
});

test("a page's nonce is read back from the policy proxy.ts forwards", () => {
  expect(nonceFromPolicy(contentSecurityPolicy({ nonce: "bm9uY2U=", development: false, https: false }))).toBe("bm9uY2U=");
  expect(nonceFromPolicy(null)).toBeNull();
  expect(nonceFromPolicy("default-src 'self'")).toBeNull();
});
