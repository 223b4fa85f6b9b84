import { getAppDatabase } from "@/server/db";
import { checkHealth } from "@/server/health";

export async function GET() {
  const { httpStatus, body } = await checkHealth(getAppDatabase().db);
  return Response.json(body, { status: httpStatus, headers: { "Cache-Control": "no-store" } });
}
