import { z } from "zod";
import { SYSTEM_ACTOR, requestOrigin } from "@/server/audit/record";
import { errorResponse, readJsonBody } from "@/server/http";
import { acceptInvitation, type InvitationDependencies } from "./invitation";

const bodySchema = z.object({ token: z.string().max(200) }).loose();

/**
 * POST /api/invite `{ token, password, name? }`: accepts the invitation and answers 201. It sets no
 * session: an email link never signs anyone in, so the invitee signs in next with the new password
 * (and a second factor where one is required).
 */
export async function acceptInvitationRequest(deps: InvitationDependencies, request: Request): Promise<Response> {
  try {
    const body = await readJsonBody(request);
    const parsed = bodySchema.safeParse(body);
    const token = parsed.success ? parsed.data.token : "";
    const { userId } = await acceptInvitation(deps, token, body, {
      actor: { ...SYSTEM_ACTOR, via: "web", ...requestOrigin(request.headers) },
    });
    return Response.json({ userId }, { status: 201, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
