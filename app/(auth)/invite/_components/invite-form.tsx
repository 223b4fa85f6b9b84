"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import { postJsonForm, type FormErrors } from "@/app/_lib/auth-errors";

/** The fields this form shows; an error about anything else (the token itself) goes in the alert. */
const FORM_FIELDS = ["name", "password"];

/** Accepting sets the password only: the invitee then signs in with it, and with a second factor where one is required. */
export function InviteForm({ token }: { token: string }) {
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [accepted, setAccepted] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    setPending(true);
    setErrors({ fields: {} });
    // An empty name keeps the one the administrator entered.
    const failure = await postJsonForm(
      "/api/invite",
      { token, password: String(form.get("password") ?? ""), ...(name ? { name } : {}) },
      FORM_FIELDS,
    );
    if (failure) {
      setErrors(failure);
      setPending(false);
      return;
    }
    setAccepted(true);
  }

  if (accepted) {
    return (
      <div className="space-y-3">
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Your password is set. Sign in with your email address and the new password.
        </p>
        <p className="text-sm">
          <Link href="/sign-in" className="font-medium text-brand-600 hover:underline">
            Sign in
          </Link>
        </p>
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <TextField
        label="Name"
        name="name"
        autoComplete="name"
        maxLength={100}
        hint="Optional. Leave it blank to keep the name your administrator entered."
        error={errors.fields.name}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 12 characters."
        error={errors.fields.password}
      />
      <SubmitButton pending={pending} pendingLabel="Setting your password…">
        Set your password
      </SubmitButton>
    </form>
  );
}
