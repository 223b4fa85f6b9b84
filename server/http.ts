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
