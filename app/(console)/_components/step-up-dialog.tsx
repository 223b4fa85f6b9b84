"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { TextField } from "@/app/_components/form";
import { registerStepUpPrompt } from "@/app/_lib/step-up";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Button, Dialog } from "./ui";

type Method = "password" | "totp" | "backup_code";

const METHOD_CHOICES: Record<Method, string> = {
  password: "Password",
  totp: "Authenticator app",
  backup_code: "A backup code",
};

const FIELD_LABELS: Record<Method, string> = {
  password: "Current password",
  totp: "Code from the authenticator app",
  backup_code: "Backup code",
};

/**
 * Asks for the password or a code when the server refuses an action for want of a recent sign-in;
 * the step-up link then retries the action.
 */
export function StepUpDialog() {
  const trpc = useTRPC();
  const [reason, setReason] = useState<string | null>(null);
  const [method, setMethod] = useState<Method>("password");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const settle = useRef<((confirmed: boolean) => void) | null>(null);
  const twoFactor = useQuery({ ...trpc.account.twoFactor.queryOptions(), enabled: reason !== null });
  const reauthenticate = useMutation(trpc.account.reauthenticate.mutationOptions());

  useEffect(() => {
    registerStepUpPrompt(
      (message) =>
        new Promise<boolean>((resolve) => {
          settle.current = resolve;
          setReason(message);
          setMethod("password");
          setSecret("");
          setError(null);
        }),
    );
    return () => registerStepUpPrompt(null);
  }, []);

  function finish(confirmed: boolean) {
    settle.current?.(confirmed);
    settle.current = null;
    setReason(null);
    setSecret("");
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    try {
      await reauthenticate.mutateAsync(
        method === "password" ? { method, password: secret } : { method, code: secret.trim() },
      );
      finish(true);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "That did not work. Try again.");
    }
  }

  const methods: Method[] = twoFactor.data?.enabled ? ["password", "totp", "backup_code"] : ["password"];
  return (
    <Dialog open={reason !== null} onClose={() => finish(false)} title="Confirm it is you">
      <form className="space-y-4" onSubmit={(event) => void onSubmit(event)} noValidate>
        <p className="text-sm text-slate-700">{reason}</p>
        <p className="text-sm text-slate-600">
          This action needs a sign-in from the last 10 minutes. Confirm once and it is done for you.
        </p>
        {methods.length > 1 ? (
          <fieldset className="flex gap-4 text-sm">
            <legend className="sr-only">How to confirm</legend>
            {methods.map((option) => (
              <label key={option} className="flex items-center gap-1.5">
                <input
                  type="radio"
                  name="step-up-method"
                  value={option}
                  checked={method === option}
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
        <TextField
          label={FIELD_LABELS[method]}
          type={method === "password" ? "password" : "text"}
          autoComplete={method === "password" ? "current-password" : "one-time-code"}
          inputMode={method === "totp" ? "numeric" : undefined}
          value={secret}
          onChange={(event) => setSecret(event.target.value)}
          error={error ?? undefined}
          autoFocus
          required
        />
        <div className="flex justify-end gap-2">
          <Button onClick={() => finish(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={reauthenticate.isPending} pendingLabel="Checking…" disabled={!secret}>
            Confirm
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
