/**
 * Request bodies larger than this are refused with 413 before anything parses them. Nothing the app
 * accepts comes near it (the largest are JSON-RPC batches and client registrations); without a
 * limit, Next's route handlers would buffer whatever a client streams.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * After the limit is passed the rest of a body is still read (and dropped) up to this much, so that an
 * ordinary client still uploading gets to read the 413 instead of a reset connection. Past it, or
 * when the declared length is past it, the connection is cut.
 */
const DRAIN_BYTES = 16 * 1024 * 1024;

const sizeInWords = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`);

export function bodyTooLarge(maxBytes: number = MAX_BODY_BYTES, { closing = false } = {}): Response {
  return Response.json(
    // The same body /mcp has always given; OAuth clients at /api/auth understand `invalid_request`.
    { error: "invalid_request", error_description: `The request body is larger than ${sizeInWords(maxBytes)}` },
    { status: 413, headers: { "Cache-Control": "no-store", ...(closing ? { Connection: "close" } : {}) } },
  );
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, received: number, maxBytes: number): Promise<Response> {
  try {
    while (received <= DRAIN_BYTES) {
      const next = await reader.read();
      if (next.done) return bodyTooLarge(maxBytes);
      received += next.value.byteLength;
    }
  } catch {
    // The client gave up; the answer goes nowhere.
  }
  await reader.cancel().catch(() => undefined);
  return bodyTooLarge(maxBytes, { closing: true });
}

/**
 * Reads the body of `request` up to `maxBytes`. The declared Content-Length is checked first and the
 * bytes actually received are counted as they arrive, so a chunked or lying upload is stopped at the
 * limit instead of being buffered whole. Answers either a 413 or a copy of the request with the body
 * in memory, which handlers can read as usual.
 */
export async function limitBody(
  request: Request,
  maxBytes: number = MAX_BODY_BYTES,
): Promise<{ ok: true; request: Request } | { ok: false; response: Response }> {
  if (!request.body) return { ok: true, request };
  const declared = Number(request.headers.get("content-length") ?? "0");
  const reader = request.body.getReader();
  if (declared > DRAIN_BYTES) {
    await reader.cancel().catch(() => undefined);
    return { ok: false, response: bodyTooLarge(maxBytes, { closing: true }) };
  }
  if (declared > maxBytes) return { ok: false, response: await drain(reader, 0, maxBytes) };
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch {
      // The client went away mid-upload; there is no one to answer, but the handler must not throw.
      return { ok: false, response: Response.json({ error: "invalid_request", error_description: "The request body was cut off" }, { status: 400 }) };
    }
    if (next.done) break;
    received += next.value.byteLength;
    if (received > maxBytes) return { ok: false, response: await drain(reader, received, maxBytes) };
    chunks.push(next.value);
  }
  const body = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const headers = new Headers(request.headers);
  headers.set("content-length", String(received));
  return {
    ok: true,
    request: new Request(request.url, { method: request.method, headers, body, signal: request.signal }),
  };
}

/** Wraps a route handler so that it only ever sees bodies within the limit. */
export function withBodyLimit<Args extends unknown[]>(
  handler: (request: Request, ...rest: Args) => Promise<Response> | Response,
  maxBytes: number = MAX_BODY_BYTES,
): (request: Request, ...rest: Args) => Promise<Response> {
  return async (request, ...rest) => {
    const limited = await limitBody(request, maxBytes);
    return limited.ok ? handler(limited.request, ...rest) : limited.response;
  };
}
