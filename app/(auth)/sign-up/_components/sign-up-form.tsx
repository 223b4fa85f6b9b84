"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { authFormErrors, type FormErrors } from "@/app/_lib/auth-errors";
import { EXPIRED_OAUTH_REQUEST_MESSAGE, isExpiredOAuthRequest, signedOAuthQuery } from "@/app/_lib/oauth-query";

/** With `continuesOAuth`, the new account carries on with the application's request, as on the sign-in page. */
export function SignUpForm({ continuesOAuth }: { continuesOAuth: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setErrors({ fields: {} });
    const oauthQuery = continuesOAuth ? signedOAuthQuery(window.location.search) : undefined;
    const { data, error } = await authClient.signUp.email({
      name: String(form.get("name") ?? "").trim(),
      email: String(form.get("email") ?? "").trim(),
      password: String(form.get("password") ?? ""),
      fetchOptions: oauthQuery ? { body: { oauth_query: oauthQuery } } : undefined,
    });
    if (error) {
      setErrors(isExpiredOAuthRequest(error) ? { form: EXPIRED_OAUTH_REQUEST_MESSAGE, fields: {} } : authFormErrors(error));
      setPending(false);
      return;
    }
    const next = data as { redirect?: boolean; url?: string } | null;
    // The provider answered with the consent page or the application's callback. better-auth's client
    // follows such `{ redirect: true, url }` answers itself (its default redirect fetch plugin, which the
    // provider's own client relies on too); navigating here as well would abort that navigation.
    if (oauthQuery && next?.redirect && next.url) return;
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
      <SubmitButton pending={pending} pendingLabel="Creating account…">
        Create account
      </SubmitButton>
    </form>
  );
}
