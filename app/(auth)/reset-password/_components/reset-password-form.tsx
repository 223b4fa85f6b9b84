"use client";

import { useState } from "react";
import { DoneNotice, FormAlert, NewPasswordField, SubmitButton, fieldText, useFormSubmission } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { authFormErrors } from "@/app/_lib/auth-errors";

const INVALID_LINK = "This reset link is invalid, already used or expired. Ask for a new one on the Forgot password page.";

export function ResetPasswordForm({ token }: { token: string }) {
  const [done, setDone] = useState(false);
  const { pending, errors, onSubmit } = useFormSubmission(async (form) => {
    const newPassword = fieldText(form, "password");
    if (newPassword !== fieldText(form, "confirm")) return { fields: { confirm: "The two passwords do not match." } };
    const { error } = await authClient.resetPassword({ newPassword, token });
    if (error) return error.code === "INVALID_TOKEN" ? { form: INVALID_LINK, fields: {} } : authFormErrors(error);
    setDone(true);
    return null;
  });

  if (done) {
    return (
      <DoneNotice next={{ href: "/sign-in", label: "Sign in with the new password" }}>
        Your password has been changed. Every session of your account was signed out, and connected applications must be allowed again.
      </DoneNotice>
    );
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <NewPasswordField label="New password" error={errors.fields.password} />
      <NewPasswordField label="Repeat the new password" name="confirm" hint={undefined} error={errors.fields.confirm} />
      <SubmitButton pending={pending} pendingLabel="Saving…">
        Set new password
      </SubmitButton>
    </form>
  );
}
