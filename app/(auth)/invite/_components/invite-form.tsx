"use client";

import { useState } from "react";
import { DoneNotice, FormAlert, NameField, NewPasswordField, SubmitButton, fieldText, useFormSubmission } from "@/app/_components/form";
import { postJsonForm } from "@/app/_lib/auth-errors";

/** The fields this form shows; an error about anything else (the token itself) goes in the alert. */
const FORM_FIELDS = ["name", "password"];

/** Accepting sets the password only: the invitee then signs in with it, and with a second factor where one is required. */
export function InviteForm({ token }: { token: string }) {
  const [accepted, setAccepted] = useState(false);
  const { pending, errors, onSubmit } = useFormSubmission(async (form) => {
    const name = fieldText(form, "name").trim();
    // An empty name keeps the one the administrator entered.
    const failure = await postJsonForm("/api/invite", { token, password: fieldText(form, "password"), ...(name ? { name } : {}) }, FORM_FIELDS);
    if (failure) return failure;
    setAccepted(true);
    return null;
  });

  if (accepted) {
    return (
      <DoneNotice next={{ href: "/sign-in", label: "Sign in" }}>
        Your password is set. Sign in with your email address and the new password.
      </DoneNotice>
    );
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <NameField
        maxLength={100}
        hint="Optional. Leave it blank to keep the name your administrator entered."
        error={errors.fields.name}
      />
      <NewPasswordField error={errors.fields.password} />
      <SubmitButton pending={pending} pendingLabel="Setting your password…">
        Set your password
      </SubmitButton>
    </form>
  );
}
