import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Email verification", robots: { index: false } };

/**
 * better-auth's verify link checks the token and lands here, with `?error=` when it failed. The link
 * only confirms the address: it never signs anyone in, so the page sends the person to sign in.
 */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Email verification</h1>
      {error ? (
        <p role="alert" className="text-sm text-slate-600">
          {error === "TOKEN_EXPIRED"
            ? "This verification link has expired, so your address is not confirmed yet. You can still sign in with your password."
            : "This verification link is invalid. Check that you opened the whole link from the email."}
        </p>
      ) : (
        <p role="status" className="text-sm text-slate-600">
          Your email address is confirmed. Sign in with your password to continue.
        </p>
      )}
      <p className="text-sm">
        <Link href="/sign-in" className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}
