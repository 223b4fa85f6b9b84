"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert, SubmitButton, TextField } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { authFormErrors } from "@/app/_lib/auth-errors";
import { continueAfterSignIn, EXPIRED_OAUTH_REQUEST_MESSAGE, isExpiredOAuthRequest, signedOAuthQuery } from "@/app/_lib/oauth-query";

/** Authenticator codes are six digits; backup codes are longer and contain letters. */
function isAuthenticatorCode(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/** The second step of a password sign-in; like the sign-in form, it hands a pending OAuth request back to the provider. */
export function TwoFactorForm({ returnTo, continuesOAuth }: { returnTo: string; continuesOAuth: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const code = String(form.get("code") ?? "").replace(/\s+/g, "");
    const trustDevice = form.get("trustDevice") === "on";
    setPending(true);
    setError(undefined);
    const oauthQuery = continuesOAuth ? signedOAuthQuery(window.location.search) : undefined;
    const fetchOptions = oauthQuery ? { body: { oauth_query: oauthQuery } } : undefined;
    const { data, error: failure } = isAuthenticatorCode(code)
      ? await authClient.twoFactor.verifyTotp({ code, trustDevice, fetchOptions })
      : await authClient.twoFactor.verifyBackupCode({ code, trustDevice, fetchOptions });
    if (failure) {
      setError(isExpiredOAuthRequest(failure) ? EXPIRED_OAUTH_REQUEST_MESSAGE : authFormErrors(failure).form ?? failure.message);
      setPending(false);
      return;
    }
    continueAfterSignIn(router, returnTo, oauthQuery, data);
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={error} />
      <TextField label="Code" name="code" autoComplete="one-time-code" autoCapitalize="off" spellCheck={false} required autoFocus />
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" name="trustDevice" className="size-4 rounded border-slate-300" />
        Trust this device for 30 days
      </label>
      <SubmitButton pending={pending} pendingLabel="Checking…">
        Verify
      </SubmitButton>
    </form>
  );
}
