import { execFileSync } from "node:child_process";
import { lookup } from "node:dns/promises";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A name that looks public, for what refuses loopback names outright (the provider's jwks_uri check):
 * the test certificate covers it, and `testHostLookup` answers it with 127.0.0.1.
 */
export const TEST_PUBLIC_HOST = "client.gatehouse.example";

/**
 * The system resolver, except that TEST_PUBLIC_HOST and localhost are 127.0.0.1, where the test host
 * listens (a system answering ::1 first for localhost would otherwise send the fetch elsewhere).
 */
export async function testHostLookup(hostname: string): Promise<{ address: string; family: number }[]> {
  if (hostname === TEST_PUBLIC_HOST || hostname === "localhost") return [{ address: "127.0.0.1", family: 4 }];
  return lookup(hostname, { all: true, verbatim: true });
}

export type MetadataRoute = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * A real https server on a loopback port, with a certificate made for this run (valid for
 * `localhost`, TEST_PUBLIC_HOST, 127.0.0.1 and ::1), serving whatever the test puts at each path: where client ID
 * metadata documents live in tests. Its certificate is trusted only by fetchers given `ca`.
 */
export interface MetadataHost {
  /** `https://localhost:<port>` */
  origin: string;
  port: number;
  /** The PEM certificate to trust for this host. */
  ca: string;
  url(pathname: string): string;
  route(pathname: string, handler: MetadataRoute): void;
  /** Serves `document` as JSON at `pathname`, with extra response headers. */
  serveJson(pathname: string, document: unknown, headers?: Record<string, string>): void;
  /** How many requests reached `pathname`. */
  hits(pathname: string): number;
  close(): Promise<void>;
}

/** A self-signed certificate for the loopback names, made with the openssl command line (node:crypto cannot make X.509). */
export function makeTestCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-cert-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        `subjectAltName=DNS:localhost,DNS:${TEST_PUBLIC_HOST},IP:127.0.0.1,IP:::1`,
        "-keyout",
        keyFile,
        "-out",
        certFile,
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startMetadataHost(certificate = makeTestCertificate()): Promise<MetadataHost> {
  const routes = new Map<string, MetadataRoute>();
  const counts = new Map<string, number>();
  const server: Server = createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
    const pathname = new URL(request.url ?? "/", "https://localhost").pathname;
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
    const handler = routes.get(pathname);
    if (handler) handler(request, response);
    else {
      response.statusCode = 404;
      response.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `https://localhost:${port}`;
  return {
    origin,
    port,
    ca: certificate.cert,
    url: (pathname) => `${origin}${pathname}`,
    route: (pathname, handler) => void routes.set(pathname, handler),
    serveJson(pathname, document, headers = {}) {
      routes.set(pathname, (_request, response) => {
        response.writeHead(200, { "content-type": "application/json", ...headers });
        response.end(JSON.stringify(document));
      });
    },
    hits: (pathname) => counts.get(pathname) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
