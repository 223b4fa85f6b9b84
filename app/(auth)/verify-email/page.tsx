import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Email verification", robots: { index: false } };

/** better-auth's verify link checks the token and lands here, with `?error=` when it failed. */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Email verification</h1>
      {error ? (
        <p role="alert" className="text-sm text-slate-600">
          {error === "TOKEN_EXPIRED"
            ? "This verification link has expired. Sign in and ask for a new one."
            : "This verification link is invalid. Check that you opened the whole link from the email."}
        </p>
      ) : (
        <p role="status" className="text-sm text-slate-600">
          Your email address is verified.
        </p>
      )}
      <p className="text-sm">
        <Link href="/" className="font-medium text-brand-600 hover:underline">
          Continue to Gatehouse
        </Link>
      </p>
    </div>
  );
}
