import { lookup as dnsLookup } from "node:dns/promises";
import { request, type RequestOptions } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { rootCertificates } from "node:tls";
import { isLoopbackAddress, isPublicAddress } from "./public-url";

/** draft-ietf-oauth-client-id-metadata-document: a document is small; anything larger is refused while it streams. */
export const METADATA_DOCUMENT_MAX_BYTES = 5 * 1024;
/** How long the whole fetch (resolution, connection, TLS, headers and body) may take. */
export const METADATA_DOCUMENT_TIMEOUT_MS = 5_000;

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name has, as `dns.lookup(host, { all: true })` answers. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface MetadataFetchOptions {
  /** Where host names are resolved; the system resolver unless a test answers for it. */
  lookup?: HostLookup;
  /**
   * Tests only (GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA): loopback addresses may be reached, and `ca`
   * (a PEM certificate) is trusted beside the system's roots for those connections' TLS.
   */
  testLoopback?: { ca?: string };
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * A metadata document could not be fetched or used. The message is the `error_description` the
 * client and the person see: it says what failed, never what the remote server sent.
 */
export class MetadataDocumentError extends Error {
  override name = "MetadataDocumentError";
}

export interface FetchedResource {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface FetchedMetadataDocument {
  document: unknown;
  /** The response headers that say how long the document may be reused. */
  headers: Headers;
}

const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Resolves the host once and checks every address it has: one internal address among public ones is
 * enough to refuse, since the connection could be made to any of them. An IP literal is checked as is.
 */
async function checkedAddress(url: URL, options: MetadataFetchOptions): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: ResolvedAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await (options.lookup ?? systemLookup)(host);
    } catch {
      throw new MetadataDocumentError(`The host ${url.hostname} of the client_id URL could not be resolved.`);
    }
  }
  if (addresses.length === 0) throw new MetadataDocumentError(`The host ${url.hostname} of the client_id URL has no address.`);
  const allowed = (address: string) => isPublicAddress(address) || (options.testLoopback !== undefined && isLoopbackAddress(address));
  if (!addresses.every(({ address }) => allowed(address))) {
    throw new MetadataDocumentError(
      `The host ${url.hostname} of the client_id URL resolves to a private, loopback, link-local or otherwise internal address. Gatehouse fetches metadata documents from the public internet only.`,
    );
  }
  return addresses[0]!;
}

/** The connection goes to the address that was checked, never to a second answer of the resolver (DNS rebinding). */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    const reply = callback as (error: NodeJS.ErrnoException | null, address: string | ResolvedAddress[], family?: number) => void;
    if ((lookupOptions as { all?: boolean }).all) reply(null, [pinned]);
    else reply(null, pinned.address, pinned.family);
  };
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  return headers;
}

/**
 * One GET of an https URL controlled by whoever wrote a client_id, with every guard a server-side
 * fetch of an attacker's URL needs: https only, the host resolved once and refused when any of its
 * addresses is internal, the connection pinned to the checked address (the certificate is still
 * checked against the host name), no redirects followed, at most `maxBytes` read, and one deadline
 * for all of it.
 */
export async function fetchPublicResource(target: string | URL, options: MetadataFetchOptions = {}): Promise<FetchedResource> {
  const url = new URL(target);
  if (url.protocol !== "https:") throw new MetadataDocumentError("Metadata is fetched over https only.");
  if (url.username || url.password) throw new MetadataDocumentError("A metadata URL must not contain credentials.");
  const timeoutMs = options.timeoutMs ?? METADATA_DOCUMENT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? METADATA_DOCUMENT_MAX_BYTES;
  const timedOut = () => new MetadataDocumentError(`Fetching ${url.origin}${url.pathname} took longer than ${timeoutMs / 1000} seconds.`);

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), timeoutMs);
  });
  try {
    const pinned = await Promise.race([checkedAddress(url, options), deadline]);
    const requestOptions: RequestOptions = {
      method: "GET",
      agent: false,
      headers: { accept: "application/json", "user-agent": "Gatehouse (client ID metadata document fetch)" },
      lookup: pinnedLookup(pinned),
      // SNI carries the host name; it is not allowed for an IP literal.
      servername: isIP(url.hostname.replace(/^\[(.*)\]$/, "$1")) ? undefined : url.hostname,
      ...(options.testLoopback?.ca ? { ca: [...rootCertificates, options.testLoopback.ca] } : {}),
    };
    return await Promise.race([readResponse(url, requestOptions, maxBytes, deadline), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function readResponse(url: URL, requestOptions: RequestOptions, maxBytes: number, deadline: Promise<never>): Promise<FetchedResource> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, requestOptions, (incoming) => {
      const status = incoming.statusCode ?? 0;
      const headers = responseHeaders(incoming.headers);
      const declared = Number(headers.get("content-length") ?? "0");
      if (Number.isFinite(declared) && declared > maxBytes) {
        outgoing.destroy();
        reject(tooLarge(url, maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      incoming.on("data", (chunk: Buffer) => {
        length += chunk.length;
        if (length > maxBytes) {
          outgoing.destroy();
          reject(tooLarge(url, maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      incoming.on("end", () => resolve({ status, headers, body: Buffer.concat(chunks) }));
      incoming.on("error", () => reject(unreachable(url)));
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      if (error instanceof MetadataDocumentError) reject(error);
      else if (error.code?.startsWith("ERR_TLS") || /certificate|self.signed|altname/i.test(error.message)) {
        reject(new MetadataDocumentError(`The TLS certificate of ${url.host} is not valid for it, so Gatehouse did not trust the connection.`));
      } else reject(unreachable(url));
    });
    // Whoever wins the race, the socket must not outlive the deadline.
    deadline.catch(() => outgoing.destroy());
    outgoing.end();
  });
}

const tooLarge = (url: URL, maxBytes: number) =>
  new MetadataDocumentError(`The document at ${url.origin}${url.pathname} is larger than ${maxBytes / 1024} KB, the most Gatehouse reads.`);

const unreachable = (url: URL) => new MetadataDocumentError(`Gatehouse could not connect to ${url.host} to fetch the metadata document.`);

/** Fetches a client ID metadata document: one JSON object, answered 200 with a JSON content type. */
export async function fetchMetadataDocument(clientIdUrl: string, options: MetadataFetchOptions = {}): Promise<FetchedMetadataDocument> {
  const fetched = await fetchPublicResource(clientIdUrl, options);
  if (fetched.status >= 300 && fetched.status < 400) {
    throw new MetadataDocumentError(
      `The client_id URL answered with a redirect (HTTP ${fetched.status}). Gatehouse does not follow redirects: the document must be served at the client_id URL itself.`,
    );
  }
  if (fetched.status !== 200) {
    throw new MetadataDocumentError(`The client_id URL answered HTTP ${fetched.status}; the metadata document must be served with 200.`);
  }
  const contentType = fetched.headers.get("content-type") ?? "";
  if (!JSON_CONTENT_TYPE.test(contentType)) {
    throw new MetadataDocumentError("The metadata document must be served as application/json.");
  }
  let document: unknown;
  try {
    document = JSON.parse(fetched.body.toString("utf8"));
  } catch {
    throw new MetadataDocumentError("The metadata document is not valid JSON.");
  }
  return { document, headers: fetched.headers };
}
