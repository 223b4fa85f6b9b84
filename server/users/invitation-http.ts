import { z } from "zod";
import { SYSTEM_ACTOR, requestOrigin } from "@/server/audit/record";
import { errorResponse, readJsonBody } from "@/server/http";
import { acceptInvitation, type InvitationDependencies } from "./invitation";

const bodySchema = z.object({ token: z.string().max(200) }).loose();

/**
 * POST /api/invite `{ token, password, name? }`: accepts the invitation, answers 201 and signs the
 * invitee straight in (better-auth's sign-in response carries the session cookie).
 */
export async function acceptInvitationRequest(deps: InvitationDependencies, request: Request): Promise<Response> {
  try {
    const body = await readJsonBody(request);
    const parsed = bodySchema.safeParse(body);
    const token = parsed.success ? parsed.data.token : "";
    const { userId, email } = await acceptInvitation(deps, token, body, {
      actor: { ...SYSTEM_ACTOR, via: "web", ...requestOrigin(request.headers) },
    });
    const { password } = body as { password: string };
    const signIn = await deps.auth.api.signInEmail({
      body: { email, password },
      headers: request.headers,
      asResponse: true,
    });
    const response = Response.json({ userId }, { status: 201, headers: { "Cache-Control": "no-store" } });
    for (const cookie of signIn.headers.getSetCookie()) response.headers.append("set-cookie", cookie);
    return response;
  } catch (error) {
    return errorResponse(error);
  }
}
