"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { FormAlert, TextField } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { passkeySignInErrorMessage } from "@/app/_lib/passkey-errors";
import { registerStepUpPrompt, type StepUpRequest } from "@/app/_lib/step-up";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Button, Dialog } from "./ui";

type Method = "password" | "totp" | "backup_code" | "passkey";

const METHOD_CHOICES: Record<Method, string> = {
  password: "Password",
  totp: "Authenticator app",
  backup_code: "A backup code",
  passkey: "A passkey",
};

const FIELD_LABELS: Record<Exclude<Method, "passkey">, string> = {
  password: "Current password",
  totp: "Code from the authenticator app",
  backup_code: "Backup code",
};

/**
 * Asks for the password or a code when the server refuses an action for want of a recent sign-in;
 * the caller then retries the action. When the action adds a second factor to an account that has
 * one, the server asks for a second factor and the password is not offered: a code from the app, a
 * backup code, or signing this browser in again with a passkey.
 */
export function StepUpDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [request, setRequest] = useState<StepUpRequest | null>(null);
  const [method, setMethod] = useState<Method | null>(null);
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);
  const settle = useRef<((confirmed: boolean) => void) | null>(null);
  const factors = useQuery({ ...trpc.account.mfaRequirement.queryOptions(), enabled: request !== null });
  const reauthenticate = useMutation(trpc.account.reauthenticate.mutationOptions());
  const revokeSession = useMutation(trpc.account.revokeSession.mutationOptions());

  useEffect(() => {
    registerStepUpPrompt(
      (next) =>
        new Promise<boolean>((resolve) => {
          settle.current = resolve;
          setRequest(next);
          setMethod(null);
          setSecret("");
          setError(null);
          // A factor may have been added or removed since the last prompt.
          void queryClient.invalidateQueries({ queryKey: trpc.account.mfaRequirement.queryKey() });
        }),
    );
    return () => registerStepUpPrompt(null);
  }, [queryClient, trpc]);

  function finish(confirmed: boolean) {
    if (confirmed) toast.success("Confirmed. Your change goes ahead now.");
    settle.current?.(confirmed);
    settle.current = null;
    setRequest(null);
    setSecret("");
  }

  const enrolled = factors.data?.status.methods ?? [];
  const codes: Method[] = enrolled.includes("totp") ? ["totp", "backup_code"] : [];
  const methods: Method[] = request?.secondFactor ? [...codes, ...(enrolled.includes("passkey") ? (["passkey"] as const) : [])] : ["password", ...codes];
  const chosen = method && methods.includes(method) ? method : methods[0];

  /**
   * A passkey proves itself only in a sign-in, so this browser signs in again with it; the session it
   * replaces is ended, as signing in anew would leave it behind unused.
   */
  async function confirmWithPasskey() {
    const before = await authClient.getSession();
    const { data, error: failure } = await authClient.signIn.passkey();
    if (failure || !data) {
      setError(failure ? passkeySignInErrorMessage(failure) : "Signing in with a passkey did not work. Try again.");
      return;
    }
    const signedIn = data as { user?: { id: string } };
    if (before.data && signedIn.user?.id !== before.data.user.id) {
      // A passkey of another account: this browser is now signed in as that account, so nothing on the page holds.
      window.location.reload();
      return;
    }
    if (before.data) await revokeSession.mutateAsync({ sessionId: before.data.session.id }).catch(() => undefined);
    finish(true);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!chosen) return;
    setError(null);
    if (chosen === "passkey") {
      setSigningIn(true);
      await confirmWithPasskey();
      setSigningIn(false);
      return;
    }
    try {
      await reauthenticate.mutateAsync(chosen === "password" ? { method: chosen, password: secret } : { method: chosen, code: secret.trim() });
      finish(true);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "That did not work. Try again.");
    }
  }

  return (
    <Dialog open={request !== null} onClose={() => finish(false)} title="Confirm it is you">
      <form method="post" className="space-y-4" onSubmit={(event) => void onSubmit(event)} noValidate>
        <p className="text-sm text-slate-700">{request?.reason}</p>
        <p className="text-sm text-slate-600">
          {request?.secondFactor
            ? "Adding a way to sign in needs your second factor from the last 10 minutes. Confirm once and it is done for you."
            : "This action needs a sign-in from the last 10 minutes. Confirm once and it is done for you."}
        </p>
        {request?.secondFactor && factors.isSuccess && methods.length === 0 ? (
          <FormAlert message="Your account has no second factor this browser can use here. Sign out, sign in again with it and retry." />
        ) : null}
        {methods.length > 1 ? (
          <fieldset className="flex flex-wrap gap-4 text-sm">
            <legend className="sr-only">How to confirm</legend>
            {methods.map((option) => (
              <label key={option} className="flex items-center gap-1.5">
                <input
                  type="radio"
                  name="step-up-method"
                  value={option}
                  checked={chosen === option}
                  onChange={() => {
                    setMethod(option);
                    setSecret("");
                    setError(null);
                  }}
                />
                {METHOD_CHOICES[option]}
              </label>
            ))}
          </fieldset>
        ) : null}
        {chosen === "passkey" ? (
          <>
            <p className="text-sm text-slate-600">Your device asks for one of your passkeys, and this browser is signed in again with it.</p>
            <FormAlert message={error ?? undefined} />
          </>
        ) : chosen ? (
          <TextField
            label={FIELD_LABELS[chosen]}
            type={chosen === "password" ? "password" : "text"}
            autoComplete={chosen === "password" ? "current-password" : "one-time-code"}
            inputMode={chosen === "totp" ? "numeric" : undefined}
            value={secret}
            onChange={(event) => setSecret(event.target.value)}
            error={error ?? undefined}
            autoFocus
            required
          />
        ) : null}
        <div className="flex justify-end gap-2">
          <Button onClick={() => finish(false)}>Cancel</Button>
          {chosen === "passkey" ? (
            <Button type="submit" variant="primary" pending={signingIn} pendingLabel="Waiting for your passkey…">
              Use a passkey
            </Button>
          ) : (
            <Button type="submit" variant="primary" pending={reauthenticate.isPending} pendingLabel="Checking…" disabled={!chosen || !secret}>
              Confirm
            </Button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
