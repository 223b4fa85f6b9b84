"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import type { FormErrors } from "@/app/_lib/auth-errors";

interface InviteErrorBody {
  error?: { message?: string; fields?: Record<string, string> };
}

/** The fields this form shows; an error about anything else (the token itself) goes in the alert. */
const FORM_FIELDS = new Set(["name", "password"]);

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
    const response = await fetch("/api/invite", {
      method: "POST",
      headers: { "content-type": "application/json" },
      // An empty name keeps the one the administrator entered.
      body: JSON.stringify({ token, password: String(form.get("password") ?? ""), ...(name ? { name } : {}) }),
    }).catch(() => null);
    if (!response?.ok) {
      const body = (await response?.json().catch(() => null)) as InviteErrorBody | null;
      const fields = body?.error?.fields ?? {};
      const otherField = Object.entries(fields).find(([field]) => !FORM_FIELDS.has(field));
      const shownInline = Object.keys(fields).some((field) => FORM_FIELDS.has(field));
      setErrors({
        form: otherField?.[1] ?? (shownInline ? undefined : (body?.error?.message ?? "The server could not be reached. Try again.")),
        fields,
      });
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
