"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import { postJsonForm, type FormErrors } from "@/app/_lib/auth-errors";

/** The fields this form shows; an error about anything else (the token itself) goes in the alert. */
const FORM_FIELDS = ["name", "password"];

export function InviteForm({ token }: { token: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });

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
    router.replace("/");
    router.refresh();
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
