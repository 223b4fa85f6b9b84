"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { authFormErrors, type FormErrors } from "@/app/_lib/auth-errors";
import { EXPIRED_OAUTH_REQUEST_MESSAGE, isExpiredOAuthRequest, signedOAuthQuery } from "@/app/_lib/oauth-query";

/**
 * Sign-up never signs in, and answers a taken address exactly as a new one (its owner is emailed
 * instead), so the page can only say what happens next: check the mailbox, then sign in. With
 * `continuesOAuth`, signing in (`signInHref` keeps the signed query) carries on with the
 * application's request.
 */
export function SignUpForm({ continuesOAuth, signInHref }: { continuesOAuth: boolean; signInHref: string }) {
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [submittedTo, setSubmittedTo] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setErrors({ fields: {} });
    const oauthQuery = continuesOAuth ? signedOAuthQuery(window.location.search) : undefined;
    const email = String(form.get("email") ?? "").trim();
    const { error } = await authClient.signUp.email({
      name: String(form.get("name") ?? "").trim(),
      email,
      password: String(form.get("password") ?? ""),
      fetchOptions: oauthQuery ? { body: { oauth_query: oauthQuery } } : undefined,
    });
    if (error) {
      setErrors(isExpiredOAuthRequest(error) ? { form: EXPIRED_OAUTH_REQUEST_MESSAGE, fields: {} } : authFormErrors(error));
      setPending(false);
      return;
    }
    setSubmittedTo(email);
  }

  if (submittedTo) {
    return (
      <div className="space-y-3">
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Check your email: we sent a message to {submittedTo}. Then sign in with your email address and password.
        </p>
        <p className="text-sm">
          <Link href={signInHref} className="font-medium text-brand-600 hover:underline">
            Continue to sign in
          </Link>
        </p>
      </div>
    );
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
