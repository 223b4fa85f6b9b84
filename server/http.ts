import type { DatabaseBusyError } from "@/db/client";
import { DomainError } from "./errors";

const NO_STORE = { "Cache-Control": "no-store" };

/** Parses a JSON request body; anything else is the caller's mistake, never a 500. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("application/json")) {
    throw new DomainError("INVALID_INPUT", "Send the request body as application/json.");
  }
  try {
    return await request.json();
  } catch {
    throw new DomainError("INVALID_INPUT", "The request body is not valid JSON.");
  }
}

export function errorResponse(error: unknown): Response {
  if (error instanceof DomainError) {
    return Response.json(error.toJSON(), { status: error.httpStatus, headers: NO_STORE });
  }
  console.error("Unhandled error in route handler:", error);
  return Response.json(
    { error: { code: "INTERNAL", message: "Something went wrong on our side. The error has been logged." } },
    { status: 500, headers: NO_STORE },
  );
}

export const DATABASE_BUSY_MESSAGE = "Gatehouse is busy. Nothing was changed; try again in a moment.";

/**
 * The database stayed locked past the retry budget and nothing was written: 503 with `Retry-After`,
 * in the error shape of the surface that answers (RFC 6749 §5.2 for OAuth endpoints).
 */
export function databaseBusyResponse(busy: DatabaseBusyError, shape: "oauth" | "plain" = "plain"): Response {
  const message = DATABASE_BUSY_MESSAGE;
  const body = shape === "oauth" ? { error: "temporarily_unavailable", error_description: message } : { code: "SERVICE_UNAVAILABLE", message };
  return Response.json(body, {
    status: 503,
    statusText: "Service Unavailable",
    headers: { ...NO_STORE, "Retry-After": String(busy.retryAfterSeconds) },
  });
}

/**
 * Next answers a method a route does not export with an empty 405; API clients get an error body
 * and the `Allow` header instead.
 */
export function methodNotAllowed(allow: string): () => Response {
  return () =>
    Response.json(
      { error: "method_not_allowed", error_description: `This endpoint accepts ${allow}.` },
      { status: 405, headers: { ...NO_STORE, Allow: allow } },
    );
}
