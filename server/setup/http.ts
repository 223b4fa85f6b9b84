import { z } from "zod";
import { SYSTEM_ACTOR, requestOrigin } from "@/server/audit/record";
import { readJsonBody } from "@/server/http";
import { completeSetup, type SetupDependencies } from "./owner";

const bodySchema = z.object({ token: z.string().min(1).max(200) }).loose();

/** POST /api/setup: creates the first owner from a setup link's token and signs them straight in. */
export async function completeSetupRequest({ db, auth }: SetupDependencies, request: Request): Promise<Response> {
  const body = await readJsonBody(request);
  const parsed = bodySchema.safeParse(body);
  const token = parsed.success ? parsed.data.token : "";
  const { userId } = await completeSetup({ db, auth }, token, body, new Date(), {
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
}
