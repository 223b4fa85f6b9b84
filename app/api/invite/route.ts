import { getAuth } from "@/server/auth/instance";
import { withBodyLimit } from "@/server/body-limit";
import { getAppDatabase } from "@/server/db";
import { errorResponse, methodNotAllowed } from "@/server/http";
import { acceptInvitationRequest } from "@/server/users/invitation-http";

export const POST = withBodyLimit(async (request: Request) => {
  try {
    return await acceptInvitationRequest({ db: getAppDatabase().db, auth: await getAuth() }, request);
  } catch (error) {
    return errorResponse(error);
  }
});

export const GET = methodNotAllowed("POST");
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
