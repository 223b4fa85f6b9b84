"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormAlert } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { continueAfterSignIn, EXPIRED_OAUTH_REQUEST_MESSAGE, isExpiredOAuthRequest, signedOAuthQuery } from "@/app/_lib/oauth-query";
import { passkeySignInErrorMessage } from "@/app/_lib/passkey-errors";

/**
 * Adds `oauth_query` to the verification request's JSON body. The passkey client builds that body
 * itself and a `body` in its fetch options would replace the WebAuthn response, so the field goes in
 * just before sending, the way the OAuth provider's own client plugin adds it.
 */
function withOAuthQuery(oauthQuery: string) {
  return (request: { body?: unknown }) => {
    const body = typeof request.body === "string" ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    request.body = JSON.stringify({ ...body, oauth_query: oauthQuery });
  };
}

/**
 * Sign-in with a passkey instead of the password. The button does not say "Sign in": that name
 * belongs to the password form's button, which specs and assistive technology find by it. A passkey counts as both factors, so no code is
 * asked for afterwards. As with the password form, during an application's request the signed
 * query goes along and the OAuth provider answers with the consent page or the application.
 */
export function PasskeySignIn({ returnTo, continuesOAuth }: { returnTo: string; continuesOAuth: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  async function onSignIn() {
    setPending(true);
    setError(undefined);
    const oauthQuery = continuesOAuth ? signedOAuthQuery(window.location.search) : undefined;
    const { data, error: failure } = await authClient.signIn.passkey({
      fetchOptions: oauthQuery ? { onRequest: withOAuthQuery(oauthQuery) } : undefined,
    });
    if (failure) {
      setError(isExpiredOAuthRequest(failure) ? EXPIRED_OAUTH_REQUEST_MESSAGE : passkeySignInErrorMessage(failure));
      setPending(false);
      return;
    }
    continueAfterSignIn(router, returnTo, oauthQuery, data);
  }

  return (
    <div className="space-y-3">
      <FormAlert message={error} />
      <button
        type="button"
        onClick={() => void onSignIn()}
        disabled={pending}
        aria-busy={pending}
        className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-semibold text-slate-700 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:cursor-wait disabled:opacity-70"
      >
        {pending ? "Waiting for your passkey…" : "Use a passkey"}
      </button>
    </div>
  );
}
