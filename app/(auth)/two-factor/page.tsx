import type { Metadata } from "next";
import Link from "next/link";
import { signInPageRequest } from "@/app/_lib/oauth-request";
import { TwoFactorForm } from "./_components/two-factor-form";

export const metadata: Metadata = {
  title: "Two-step verification",
  // During an authorization request the signed query is in this page's URL.
  referrer: "no-referrer",
};

/** Reached from sign-in when the account has an authenticator app; the plugin's cookie says whose sign-in it is. */
export default async function TwoFactorPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { returnTo, oauth, continuing } = await signInPageRequest(await searchParams);
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Two-step verification</h1>
      <p className="text-sm text-slate-600">
        Enter the 6-digit code from your authenticator app
        {continuing ? (
          <>
            {" "}
            to continue to <span className="font-medium text-slate-900">{oauth?.client?.name ?? "the application"}</span>
          </>
        ) : null}
        , or one of your backup codes.
      </p>
      <TwoFactorForm returnTo={returnTo} continuesOAuth={continuing !== null} />
      <p className="text-sm text-slate-600">
        <Link href={continuing ? `/sign-in?${continuing.query}` : "/sign-in"} className="font-medium text-brand-600 hover:underline">
          Start again
        </Link>
      </p>
    </div>
  );
}
