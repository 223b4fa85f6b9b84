import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { pendingOAuthRequest } from "@/app/_lib/oauth-request";
import { getSession } from "@/server/auth/session";
import { getEnv } from "@/server/env";
import { ownerAlreadyExists } from "@/server/pages";
import { SignUpForm } from "./_components/sign-up-form";

export const metadata: Metadata = {
  title: "Create an account",
  // During an authorization request the signed query is in this page's URL.
  referrer: "no-referrer",
};

export default async function SignUpPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const oauth = await pendingOAuthRequest(await searchParams);
  // Sign-up is refused until the owner exists (server/auth/plugins/sign-up-gate.ts): send people to setup instead.
  if (!(await ownerAlreadyExists())) redirect("/setup");
  const continuing = oauth && !oauth.expired ? oauth : null;
  if (!continuing && (await getSession())) redirect("/");
  const open = getEnv().signup === "open";
  const signInHref = continuing ? `/sign-in?${continuing.query}` : "/sign-in";
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Create an account</h1>
      {continuing && open ? (
        <p className="text-sm text-slate-600">
          Create an account to continue to{" "}
          <span className="font-medium text-slate-900">{continuing.client?.name ?? "the application"}</span>.
        </p>
      ) : null}
      {open ? (
        <SignUpForm continuesOAuth={continuing !== null} signInHref={signInHref} />
      ) : (
        <p className="text-sm text-slate-600">Sign-up is closed on this server. Ask an administrator for an account.</p>
      )}
      <p className="text-sm text-slate-600">
        Already have an account?{" "}
        <Link href={signInHref} className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}
