"use client";

import { useRouter } from "next/navigation";
import { EmailField, FormAlert, SubmitButton, TextField, fieldText, useFormSubmission } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { continueAfterSignIn, oauthFormErrors, signedOAuthQuery } from "@/app/_lib/oauth-query";

/**
 * With `continuesOAuth`, the page was opened by the OAuth provider for an application's request: the
 * signed query goes back with the credentials, and the provider answers with where the request goes
 * next (the consent page or the application) instead of the console.
 */
export function SignInForm({ returnTo, continuesOAuth }: { returnTo: string; continuesOAuth: boolean }) {
  const router = useRouter();
  const { pending, errors, onSubmit } = useFormSubmission(async (form) => {
    const oauthQuery = continuesOAuth ? signedOAuthQuery(window.location.search) : undefined;
    const { data, error } = await authClient.signIn.email({
      email: fieldText(form, "email"),
      password: fieldText(form, "password"),
      fetchOptions: oauthQuery ? { body: { oauth_query: oauthQuery } } : undefined,
    });
    if (error) return oauthFormErrors(error);
    continueAfterSignIn(router, returnTo, oauthQuery, data);
    return null;
  });

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <EmailField autoComplete="username" error={errors.fields.email} />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required error={errors.fields.password} />
      <SubmitButton pending={pending} pendingLabel="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  );
}
