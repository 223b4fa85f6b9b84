import { getAppDatabase } from "@/server/db";
import { checkHealth } from "@/server/health";
import { methodNotAllowed } from "@/server/http";

export async function GET() {
  const { httpStatus, body } = await checkHealth(getAppDatabase().db);
  return Response.json(body, { status: httpStatus, headers: { "Cache-Control": "no-store" } });
}

export const POST = methodNotAllowed("GET");
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
