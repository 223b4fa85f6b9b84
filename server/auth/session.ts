import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { REQUEST_PATH_HEADER } from "@/app/_lib/request-path";
import { safeReturnPath } from "@/app/_lib/return-path";
import { getAuth } from "./instance";

/** One session lookup per server render, however many components ask. */
export const getSession = cache(async () => (await getAuth()).api.getSession({ headers: await headers() }));

export async function requireSession() {
  const session = await getSession();
  if (!session) {
    const returnTo = safeReturnPath((await headers()).get(REQUEST_PATH_HEADER));
    redirect(returnTo === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(returnTo)}`);
  }
  return session;
}
