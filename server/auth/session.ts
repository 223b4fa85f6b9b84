import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getAuth } from "./instance";

/** One session lookup per server render, however many components ask. */
export const getSession = cache(async () => getAuth().api.getSession({ headers: await headers() }));

export async function requireSession(returnTo = "/") {
  const session = await getSession();
  if (!session) redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`);
  return session;
}
