import type { Metadata } from "next";
import Link from "next/link";
import { ForgotPasswordForm } from "./_components/forgot-password-form";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Forgot password</h1>
      <p className="text-sm text-slate-600">Enter the email address of your account and we will send you a link to choose a new password.</p>
      <ForgotPasswordForm />
      <p className="text-sm text-slate-600">
        <Link href="/sign-in" className="font-medium text-brand-600 hover:underline">
          Back to sign in
        </Link>
      </p>
    </div>
  );
}
