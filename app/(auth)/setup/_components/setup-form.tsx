"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import { postJsonForm, type FormErrors } from "@/app/_lib/auth-errors";

export function SetupForm({ token }: { token: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setErrors({ fields: {} });
    const failure = await postJsonForm(
      "/api/setup",
      {
        token,
        name: String(form.get("name") ?? ""),
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
      },
      ["name", "email", "password"],
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
      <TextField label="Name" name="name" autoComplete="name" required error={errors.fields.name} />
      <TextField label="Email" name="email" type="email" autoComplete="email" required error={errors.fields.email} />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 12 characters."
        error={errors.fields.password}
      />
      <SubmitButton pending={pending} pendingLabel="Creating owner…">
        Create owner account
      </SubmitButton>
    </form>
  );
}
