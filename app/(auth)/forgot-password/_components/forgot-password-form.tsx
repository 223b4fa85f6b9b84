"use client";

import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { authFormErrors, type FormErrors } from "@/app/_lib/auth-errors";

/** Says the same thing whether or not the account exists, so the form cannot be used to probe for emails. */
export const RESET_REQUESTED_MESSAGE =
  "If an account uses that email address, a link to reset its password is on its way. The link works once, within an hour.";

export function ForgotPasswordForm() {
  const [pending, setPending] = useState(false);
  const [sent, setSent] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setErrors({ fields: {} });
    const { error } = await authClient.requestPasswordReset({
      email: String(form.get("email") ?? "").trim(),
      redirectTo: "/reset-password",
    });
    setPending(false);
    if (error) {
      setErrors(authFormErrors(error));
      return;
    }
    setSent(true);
  }

  if (sent) {
    return (
      <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
        {RESET_REQUESTED_MESSAGE}
      </p>
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <TextField label="Email" name="email" type="email" autoComplete="email" required error={errors.fields.email} />
      <SubmitButton pending={pending} pendingLabel="Sending…">
        Send reset link
      </SubmitButton>
    </form>
  );
}
