import type { Database } from "@/db/client";
import { enrolmentRequiredMessage, mfaEnrolmentMissing, mfaRequirement } from "@/server/users/mfa";
import type { Auth } from "./auth";
import { MFA_ENROLMENT_REQUIRED_CODE } from "./plugins/mfa-gate";

export type RouteSession = NonNullable<Awaited<ReturnType<Auth["api"]["getSession"]>>>;

export type RouteSessionCheck = { ok: true; session: RouteSession } | { ok: false; response: Response };

function refusal(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * The signed-in user a route handler acts for, or the answer refusing the request: 401 without a
 * session, 403 `MFA_ENROLMENT_REQUIRED` while their role or domain requires a second factor they
 * have not enrolled. Every route handler under `app/` that acts for a signed-in user starts here,
 * as tRPC procedures start at `protectedProcedure` and better-auth endpoints pass the MFA gate plugin.
 */
export async function requireRouteSession({ db, auth }: { db: Database; auth: Auth }, request: Request): Promise<RouteSessionCheck> {
  const session = await auth.api.getSession({ headers: request.headers });
  if (!session) return { ok: false, response: refusal(401, "UNAUTHORIZED", "Sign in to continue.") };
  if (await mfaEnrolmentMissing(db, session.user.id)) {
    const message = enrolmentRequiredMessage(await mfaRequirement(db, session.user.id));
    return { ok: false, response: refusal(403, MFA_ENROLMENT_REQUIRED_CODE, message) };
  }
  return { ok: true, session };
}
