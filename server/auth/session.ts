import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { REQUEST_PATH_HEADER } from "@/server/shared/request-path";
import { enrolmentPath, safeReturnPath } from "@/server/shared/return-path";
import { getAppDatabase } from "@/server/db";
import { mfaEnrolmentMissing } from "@/server/users/mfa";
import { getAuth } from "./instance";

/** One session lookup per server render, however many components ask; the request is read first, so a build never opens the database. */
export const getSession = cache(async () => {
  const requestHeaders = await headers();
  return (await getAuth()).api.getSession({ headers: requestHeaders });
});

export async function requireSession() {
  const session = await getSession();
  if (!session) {
    const returnTo = safeReturnPath((await headers()).get(REQUEST_PATH_HEADER));
    redirect(returnTo === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(returnTo)}`);
  }
  return session;
}

/** Layouts and pages render together; one lookup per render serves both. */
const enrolmentMissing = cache((userId: string) => mfaEnrolmentMissing(getAppDatabase().db, userId));

/** Sends a user whose role or domain requires a second factor to enrolment until they have one. */
export async function requireMfaWhereRequired(userId: string, returnTo: string): Promise<void> {
  if (await enrolmentMissing(userId)) redirect(enrolmentPath(returnTo));
}
