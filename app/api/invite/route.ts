import { getAuth } from "@/server/auth/instance";
import { getAppDatabase } from "@/server/db";
import { errorResponse } from "@/server/http";
import { acceptInvitationRequest } from "@/server/users/invitation-http";

export async function POST(request: Request) {
  try {
    return await acceptInvitationRequest({ db: getAppDatabase().db, auth: await getAuth() }, request);
  } catch (error) {
    return errorResponse(error);
  }
}
