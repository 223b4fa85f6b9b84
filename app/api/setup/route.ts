import { z } from "zod";
import { SYSTEM_ACTOR, requestOrigin } from "@/server/audit/record";
import { getAuth } from "@/server/auth/instance";
import { withBodyLimit } from "@/server/body-limit";
import { getAppDatabase } from "@/server/db";
import { errorResponse, methodNotAllowed, readJsonBody } from "@/server/http";
import { completeSetup } from "@/server/setup/owner";

const bodySchema = z.object({ token: z.string().min(1).max(200) }).loose();

export const POST = withBodyLimit(async (request: Request) => {
  try {
    const body = await readJsonBody(request);
    const parsed = bodySchema.safeParse(body);
    const token = parsed.success ? parsed.data.token : "";
    const auth = await getAuth();
    const { userId } = await completeSetup({ db: getAppDatabase().db, auth }, token, body, new Date(), {
      ...SYSTEM_ACTOR,
      ...requestOrigin(request.headers),
    });
    // Sign the new owner straight in; better-auth's response carries the session cookie.
    const { email, password } = body as { email: string; password: string };
    const signIn = await auth.api.signInEmail({
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
});

export const GET = methodNotAllowed("POST");
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
