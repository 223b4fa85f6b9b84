import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { isAPIError } from "better-auth/api";
import { getSession } from "@/server/auth/session";
import { verifyEmail } from "@/server/pages";

export const metadata: Metadata = {
  title: "Email verification",
  robots: { index: false },
  // The verification token is in this page's URL.
  referrer: "no-referrer",
};

type Outcome = "confirmed" | "expired" | "invalid" | "other-account";

/** Confirms the address through better-auth, which refuses unless this browser is signed in as its account. */
async function confirm(token: string): Promise<Outcome> {
  try {
    await verifyEmail(token, await headers());
    return "confirmed";
  } catch (error) {
    if (!isAPIError(error)) throw error;
    const code = String(error.body?.code ?? "");
    if (code === "TOKEN_EXPIRED") return "expired";
    if (code === "SIGN_IN_TO_VERIFY") return "other-account";
    return "invalid";
  }
}

const MESSAGES: Record<Exclude<Outcome, "confirmed">, string> = {
  expired: "This verification link has expired, so your address is not confirmed yet. You can still sign in with your password.",
  invalid: "This verification link is invalid. Check that you opened the whole link from the email.",
  "other-account": "You are signed in to another account. Sign out, sign in to the account this address belongs to, and open the link again.",
};

/**
 * The verification email's link lands here. It never signs anyone in: someone not signed in is sent
 * to sign in first and comes back, so the address is confirmed only by whoever holds both the
 * mailbox and the account's password.
 */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  const session = await getSession();
  const outcome: Outcome | "sign-in" = !token ? "invalid" : session ? await confirm(token) : "sign-in";
  const returnHere = `/verify-email?token=${encodeURIComponent(token ?? "")}`;
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Email verification</h1>
      {outcome === "confirmed" ? (
        <p role="status" className="text-sm text-slate-600">
          Your email address is confirmed.
        </p>
      ) : outcome === "sign-in" ? (
        <p className="text-sm text-slate-600">
          To confirm this address, sign in to the Gatehouse account it belongs to. You will come back here afterwards.
        </p>
      ) : (
        <p role="alert" className="text-sm text-slate-600">
          {MESSAGES[outcome]}
        </p>
      )}
      <p className="text-sm">
        {outcome === "sign-in" ? (
          <Link href={`/sign-in?next=${encodeURIComponent(returnHere)}`} className="font-medium text-brand-600 hover:underline">
            Sign in to confirm
          </Link>
        ) : (
          <Link href="/" className="font-medium text-brand-600 hover:underline">
            Go to your Gatehouse account
          </Link>
        )}
      </p>
    </div>
  );
}
