"use client";

import { useState } from "react";
import { DoneNotice, EmailField, FormAlert, SubmitButton, fieldText, useFormSubmission } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { authFormErrors } from "@/app/_lib/auth-errors";

/** Says the same thing whether or not the account exists, so the form cannot be used to probe for emails. */
export const RESET_REQUESTED_MESSAGE =
  "If an account uses that email address, a link to reset its password is on its way. The link works once, within an hour.";

export function ForgotPasswordForm() {
  const [sent, setSent] = useState(false);
  const { pending, errors, onSubmit } = useFormSubmission(async (form) => {
    const { error } = await authClient.requestPasswordReset({ email: fieldText(form, "email").trim(), redirectTo: "/reset-password" });
    if (error) return authFormErrors(error);
    setSent(true);
    return null;
  });

  if (sent) return <DoneNotice>{RESET_REQUESTED_MESSAGE}</DoneNotice>;

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <EmailField error={errors.fields.email} />
      <SubmitButton pending={pending} pendingLabel="Sending…">
        Send reset link
      </SubmitButton>
    </form>
  );
}
