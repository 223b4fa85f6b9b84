import type { Metadata } from "next";
import Link from "next/link";
import { ResetPasswordForm } from "./_components/reset-password-form";

export const metadata: Metadata = {
  title: "Choose a new password",
  // The reset token is in this page's URL.
  referrer: "no-referrer",
  robots: { index: false },
};

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string; error?: string }> }) {
  const { token, error } = await searchParams;
  const usable = !error && typeof token === "string" && token.length > 0;
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Choose a new password</h1>
      {usable ? (
        <ResetPasswordForm token={token} />
      ) : (
        <>
          <p role="alert" className="text-sm text-slate-600">
            This reset link is invalid, already used or expired. Ask for a new one.
          </p>
          <p className="text-sm">
            <Link href="/forgot-password" className="font-medium text-brand-600 hover:underline">
              Send a new reset link
            </Link>
          </p>
        </>
      )}
    </div>
  );
}
