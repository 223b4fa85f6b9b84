import { exportAuditCsv } from "@/server/audit/export";
import { getAuth } from "@/server/auth/instance";
import { getAppDatabase } from "@/server/db";
import { methodNotAllowed } from "@/server/http";

/** The audit log as a streamed CSV download; tRPC responses cannot stream, so this is a plain route. */
export async function GET(request: Request) {
  return exportAuditCsv({ db: getAppDatabase().db, auth: await getAuth(), request });
}

export const POST = methodNotAllowed("GET");
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
