/**
 * How the HTTP walks build a request the way a browser on the console's origin sends one: Origin
 * always, the cookie when given, a JSON or form body, and POST whenever there is a body. Relative
 * imports only: the operations specs load this without the `@/` alias.
 */
export interface WalkRequest {
  method?: string;
  cookie?: string;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export function walkRequestInit(origin: string, init: WalkRequest = {}): RequestInit & { method: string } {
  const headers: Record<string, string> = { origin, ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  let body: string | undefined;
  if (init.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(init.form).toString();
  }
  return { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body, redirect: "manual" };
}

/**
 * A source of client addresses, a new one on every call, so that no two requests (or tests) share a
 * per-IP bucket or lock unless a test means them to. `network` is three octets (up to 255 addresses)
 * or two (the third octet counts up too); each test file takes a network of its own, as the limiter's
 * store may be shared between files.
 */
export function clientAddresses(network: string): () => string {
  let sequence = 0;
  const octets = network.split(".").length;
  return () => {
    sequence += 1;
    return octets === 3 ? `${network}.${sequence}` : `${network}.${Math.floor(sequence / 250)}.${(sequence % 250) + 1}`;
  };
}
