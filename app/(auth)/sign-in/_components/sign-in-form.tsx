"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { authFormErrors, type FormErrors } from "@/app/_lib/auth-errors";
import { EXPIRED_OAUTH_REQUEST_MESSAGE, isExpiredOAuthRequest, signedOAuthQuery } from "@/app/_lib/oauth-query";

/**
 * With `continuesOAuth`, the page was opened by the OAuth provider for an application's request: the
 * signed query goes back with the credentials, and the provider answers with where the request goes
 * next (the consent page or the application) instead of the console.
 */
export function SignInForm({ returnTo, continuesOAuth }: { returnTo: string; continuesOAuth: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setErrors({ fields: {} });
    const oauthQuery = continuesOAuth ? signedOAuthQuery(window.location.search) : undefined;
    const { data, error } = await authClient.signIn.email({
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      fetchOptions: oauthQuery ? { body: { oauth_query: oauthQuery } } : undefined,
    });
    if (error) {
      setErrors(isExpiredOAuthRequest(error) ? { form: EXPIRED_OAUTH_REQUEST_MESSAGE, fields: {} } : authFormErrors(error));
      setPending(false);
      return;
    }
    // The provider answered with the consent page or the application's callback. better-auth's client
    // follows such `{ redirect: true, url }` answers itself (its default redirect fetch plugin, which the
    // provider's own client relies on too); navigating here as well would abort that navigation.
    if (oauthQuery && data?.redirect && data.url) return;
    router.replace(returnTo);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <TextField label="Email" name="email" type="email" autoComplete="username" required error={errors.fields.email} />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={errors.fields.password}
      />
      <SubmitButton pending={pending} pendingLabel="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  );
}
