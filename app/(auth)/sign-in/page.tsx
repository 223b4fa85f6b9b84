import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { signInPageRequest } from "@/app/_lib/oauth-request";
import { getSession } from "@/server/auth/session";
import { getEnv } from "@/server/env";
import { ownerAlreadyExists } from "@/server/pages";
import { PasskeySignIn } from "./_components/passkey-sign-in";
import { SignInForm } from "./_components/sign-in-form";

export const metadata: Metadata = {
  title: "Sign in",
  // During an authorization request the signed query is in this page's URL.
  referrer: "no-referrer",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { returnTo, oauth, continuing } = await signInPageRequest(await searchParams);
  // A fresh instance has no account to sign in to yet: the way in is the setup link.
  if (!(await ownerAlreadyExists())) redirect("/setup");
  // An application may ask for a fresh sign-in (prompt=login, max_age), so then a session does not skip the form.
  if (!continuing && (await getSession())) redirect(returnTo);
  const clientName = oauth?.client?.name ?? "the application";
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Sign in</h1>
      {continuing ? (
        <p className="text-sm text-slate-600">
          Sign in to continue to <span className="font-medium text-slate-900">{clientName}</span>.
        </p>
      ) : null}
      {oauth?.expired ? (
        <p role="status" className="text-sm text-slate-600">
          The request from {clientName} has expired. You can still sign in to Gatehouse; to connect {clientName}, start
          again from there.
        </p>
      ) : null}
      <SignInForm returnTo={returnTo} continuesOAuth={continuing !== null} />
      <div className="flex items-center gap-3 text-xs text-slate-500" aria-hidden="true">
        <span className="h-px flex-1 bg-slate-200" />
        or
        <span className="h-px flex-1 bg-slate-200" />
      </div>
      <PasskeySignIn returnTo={returnTo} continuesOAuth={continuing !== null} />
      <p className="text-sm text-slate-600">
        <Link href="/forgot-password" className="font-medium text-brand-600 hover:underline">
          Forgot password?
        </Link>
      </p>
      {getEnv().signup === "open" ? (
        <p className="text-sm text-slate-600">
          No account yet?{" "}
          <Link href={continuing ? `/sign-up?${continuing.query}` : "/sign-up"} className="font-medium text-brand-600 hover:underline">
            Create one
          </Link>
        </p>
      ) : null}
    </div>
  );
}
