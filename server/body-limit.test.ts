import { expect, test } from "vitest";
import { limitBody, MAX_BODY_BYTES } from "./body-limit";

function streamOf(chunks: number, chunkBytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ === chunks) controller.close();
      else controller.enqueue(new Uint8Array(chunkBytes).fill(0x61));
    },
  });
}

test("a body within the limit reaches the handler unchanged", async () => {
  const request = new Request("http://localhost/api/trpc/x", { method: "POST", body: JSON.stringify({ a: "é" }), headers: { "content-type": "application/json" } });
  const limited = await limitBody(request);
  expect(limited.ok).toBe(true);
  if (limited.ok) {
    expect(await limited.request.json()).toEqual({ a: "é" });
    expect(limited.request.headers.get("content-type")).toBe("application/json");
  }
});

test("a declared Content-Length over the limit is refused with 413 and a JSON body", async () => {
  const request = new Request("http://localhost/mcp", {
    method: "POST",
    body: "{}",
    headers: { "content-length": String(MAX_BODY_BYTES + 1) },
  });
  const limited = await limitBody(request);
  expect(limited.ok).toBe(false);
  if (!limited.ok) {
    expect(limited.response.status).toBe(413);
    expect(await limited.response.json()).toEqual({ error: "invalid_request", error_description: "The request body is larger than 1 MB" });
  }
});

function counted(source: ReadableStream<Uint8Array>): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const stream = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
  return { stream, pulled: () => pulled };
}

test("a streamed body without a length gets 413 once past the limit, after the rest has been read", async () => {
  const upload = counted(streamOf(64, 64 * 1024));
  const request = new Request("http://localhost/api/auth/sign-in/email", { method: "POST", body: upload.stream, duplex: "half" } as RequestInit);
  const limited = await limitBody(request);
  expect(limited.ok).toBe(false);
  if (!limited.ok) {
    expect(limited.response.status).toBe(413);
    expect(limited.response.headers.get("connection")).toBeNull();
  }
  expect(upload.pulled()).toBe(64 * 64 * 1024);
});

test("an upload that keeps going is cut off instead of being read to the end", async () => {
  const upload = counted(streamOf(1024, 64 * 1024));
  const request = new Request("http://localhost/mcp", { method: "POST", body: upload.stream, duplex: "half" } as RequestInit);
  const limited = await limitBody(request);
  expect(limited.ok).toBe(false);
  if (!limited.ok) {
    expect(limited.response.status).toBe(413);
    expect(limited.response.headers.get("connection")).toBe("close");
  }
  expect(upload.pulled()).toBeLessThan(20 * 1024 * 1024);
});

test("exactly the limit is accepted; one byte more is not", async () => {
  const at = await limitBody(new Request("http://localhost/x", { method: "POST", body: new Uint8Array(MAX_BODY_BYTES) }));
  expect(at.ok).toBe(true);
  const over = await limitBody(new Request("http://localhost/x", { method: "POST", body: new Uint8Array(MAX_BODY_BYTES + 1) }));
  expect(over.ok).toBe(false);
});

test("requests without a body pass straight through", async () => {
  const request = new Request("http://localhost/api/auth/get-session");
  const limited = await limitBody(request);
  expect(limited.ok && limited.request).toBe(request);
});
