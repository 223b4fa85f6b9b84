"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { authFormErrors, type FormErrors } from "@/app/_lib/auth-errors";

const INVALID_LINK = "This reset link is invalid, already used or expired. Ask for a new one on the Forgot password page.";

export function ResetPasswordForm({ token }: { token: string }) {
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newPassword = String(form.get("password") ?? "");
    if (newPassword !== String(form.get("confirm") ?? "")) {
      setErrors({ fields: { confirm: "The two passwords do not match." } });
      return;
    }
    setPending(true);
    setErrors({ fields: {} });
    const { error } = await authClient.resetPassword({ newPassword, token });
    setPending(false);
    if (error) {
      setErrors(error.code === "INVALID_TOKEN" ? { form: INVALID_LINK, fields: {} } : authFormErrors(error));
      return;
    }
    setDone(true);
  }

  if (done) {
    return (
      <div className="space-y-3">
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Your password has been changed. Every session of your account was signed out, and connected applications must be allowed again.
        </p>
        <p className="text-sm">
          <Link href="/sign-in" className="font-medium text-brand-600 hover:underline">
            Sign in with the new password
          </Link>
        </p>
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <TextField
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 12 characters."
        error={errors.fields.password}
      />
      <TextField
        label="Repeat the new password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        required
        error={errors.fields.confirm}
      />
      <SubmitButton pending={pending} pendingLabel="Saving…">
        Set new password
      </SubmitButton>
    </form>
  );
}
