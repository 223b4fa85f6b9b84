import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { NO_REFERRER_PAGES } from "../../server/security-headers";
import { createSharedData, startInstance, type Instance } from "./instance";

/**
 * The headers of a production build's responses: every HTML response (each page under app/, redirects
 * and the 404 page included) carries a CSP whose nonce is on every script of the page and new on every
 * request, nosniff, the page's referrer policy and a Permissions-Policy; HSTS only when PUBLIC_URL is
 * https. JSON APIs keep their content type and body, with no CSP.
 */

const repoRoot = path.resolve(import.meta.dirname, "..", "..");

let data: ReturnType<typeof createSharedData>;
let instance: Instance;

/** Page routes under app/ (route groups dropped, private folders skipped), with sample values for their parameters. */
function pageUrls(): string[] {
  const urls: string[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith("_")) {
        walk(path.join(dir, entry.name), /^\(.*\)$/.test(entry.name) ? segments : [...segments, entry.name]);
      } else if (entry.name === "page.tsx") {
        urls.push(`/${segments.join("/")}`.replace(/\[(\.\.\.)?[^\]]+\]/g, "sample"));
      }
    }
  };
  walk(path.join(repoRoot, "app"), []);
  return urls;
}

async function get(origin: string, pathname: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${origin}${pathname}`, { headers: { accept: "text/html", ...headers }, redirect: "manual" });
  return { response, text: await response.text(), label: `GET ${pathname} -> ${response.status}` };
}

function nonceOf(csp: string): string {
  return /'nonce-([^']+)'/.exec(csp)?.[1] ?? "";
}

function expectPageHeaders(response: Response, pathname: string, label: string) {
  const csp = response.headers.get("content-security-policy") ?? "";
  expect(csp, label).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
  expect(csp, label).not.toContain("unsafe-inline");
  expect(csp, label).not.toContain("unsafe-eval");
  for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"]) expect(csp, label).toContain(directive);
  expect(response.headers.get("x-content-type-options"), label).toBe("nosniff");
  expect(response.headers.get("permissions-policy"), label).toContain("camera=()");
  expect(response.headers.get("permissions-policy"), label).toContain("publickey-credentials-get=(self)");
  const expected = NO_REFERRER_PAGES.includes(pathname) ? "no-referrer" : "strict-origin-when-cross-origin";
  expect(response.headers.get("referrer-policy"), label).toBe(expected);
}

test.beforeAll(async () => {
  test.setTimeout(6 * 60_000);
  data = createSharedData();
  instance = await startInstance({ dataDir: data.dir, databaseUrl: data.databaseUrl });
});

test.afterAll(async () => {
  await instance?.stop();
  data?.remove();
});

test("every page, redirect and the 404 page carry the CSP with a fresh nonce on every script, nosniff, their referrer policy, and no HSTS over http", async () => {
  const urls = [...pageUrls(), "/no-such-page", "/consent?client_id=x&sig=y"];
  let htmlPages = 0;
  for (const url of urls) {
    const { response, text, label } = await get(instance.origin, url);
    expect(response.status, label).toBeLessThan(500);
    expectPageHeaders(response, new URL(url, instance.origin).pathname, label);
    expect(response.headers.get("strict-transport-security"), label).toBeNull();
    if (!response.headers.get("content-type")?.includes("text/html") || response.status >= 300 && response.status < 400) continue;
    htmlPages += 1;
    const nonce = nonceOf(response.headers.get("content-security-policy")!);
    const scripts = [...text.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length, label).toBeGreaterThan(0);
    for (const script of scripts) expect(script, label).toContain(`nonce="${nonce}"`);
    expect(text, `${label}: inline style attributes are refused by the CSP`).not.toMatch(/\sstyle="/);
  }
  expect(htmlPages).toBeGreaterThan(5);

  const first = nonceOf((await get(instance.origin, "/sign-in")).response.headers.get("content-security-policy")!);
  const second = nonceOf((await get(instance.origin, "/sign-in")).response.headers.get("content-security-policy")!);
  expect(first).not.toBe(second);
});

test("JSON APIs keep their answers: no CSP, their own content type and body", async () => {
  for (const pathname of ["/api/health", "/api/trpc/health", "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server/api/auth", "/api/auth/jwks"]) {
    const response = await fetch(`${instance.origin}${pathname}`);
    const label = `GET ${pathname} -> ${response.status}`;
    expect(response.status, label).toBe(200);
    expect(response.headers.get("content-type"), label).toContain("application/json");
    expect(response.headers.get("content-security-policy"), label).toBeNull();
    expect(response.headers.get("x-content-type-options"), label).toBe("nosniff");
    await response.json();
  }
  const mcp = await fetch(`${instance.origin}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(mcp.status).toBe(401);
  expect(mcp.headers.get("www-authenticate")).toContain("resource_metadata=");
  expect(mcp.headers.get("content-security-policy")).toBeNull();
});

test("behind an https PUBLIC_URL, pages also carry Strict-Transport-Security", async () => {
  const httpsData = createSharedData();
  const behindTls = await startInstance({ dataDir: httpsData.dir, databaseUrl: httpsData.databaseUrl, publicUrl: "https://gatehouse.example" });
  try {
    const { response, label } = await get(behindTls.origin, "/sign-in");
    expect(response.headers.get("strict-transport-security"), label).toBe("max-age=31536000");
    expect(response.headers.get("content-security-policy"), label).toContain("upgrade-insecure-requests");
  } finally {
    await behindTls.stop();
    httpsData.remove();
  }
});
