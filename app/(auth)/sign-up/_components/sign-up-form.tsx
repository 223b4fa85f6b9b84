"use client";

import { useState } from "react";
import { DoneNotice, FormAlert, NewAccountFields, SubmitButton, fieldText, useFormSubmission } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { oauthFormErrors, signedOAuthQuery } from "@/app/_lib/oauth-query";

/**
 * Sign-up never signs in, and answers a taken address exactly as a new one (its owner is emailed
 * instead), so the page can only say what happens next: check the mailbox, then sign in. With
 * `continuesOAuth`, signing in (`signInHref` keeps the signed query) carries on with the
 * application's request.
 */
export function SignUpForm({ continuesOAuth, signInHref }: { continuesOAuth: boolean; signInHref: string }) {
  const [submittedTo, setSubmittedTo] = useState<string | null>(null);
  const { pending, errors, onSubmit } = useFormSubmission(async (form) => {
    const oauthQuery = continuesOAuth ? signedOAuthQuery(window.location.search) : undefined;
    const email = fieldText(form, "email").trim();
    const { error } = await authClient.signUp.email({
      name: fieldText(form, "name").trim(),
      email,
      password: fieldText(form, "password"),
      fetchOptions: oauthQuery ? { body: { oauth_query: oauthQuery } } : undefined,
    });
    if (error) return oauthFormErrors(error);
    setSubmittedTo(email);
    return null;
  });

  if (submittedTo) {
    return (
      <DoneNotice next={{ href: signInHref, label: "Continue to sign in" }}>
        Check your email: we sent a message to {submittedTo}. Then sign in with your email address and password.
      </DoneNotice>
    );
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <NewAccountFields errors={errors} />
      <SubmitButton pending={pending} pendingLabel="Creating account…">
        Create account
      </SubmitButton>
    </form>
  );
}
