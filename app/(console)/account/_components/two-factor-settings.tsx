"use client";

import { useQuery } from "@tanstack/react-query";
import QRCode from "qrcode";
import { useEffect, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { TextField } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { withStepUp } from "@/app/_lib/step-up";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Section, Badge, Button, ErrorState, LoadingState } from "../../_components/ui";
import { useInvalidate } from "../../_components/use-invalidate";

type Step =
  | { kind: "idle" }
  | { kind: "password"; purpose: "enable" | "regenerate" | "disable" }
  | { kind: "confirm"; totpURI: string; backupCodes: string[] }
  | { kind: "codes"; backupCodes: string[] };

const PASSWORD_PROMPTS = {
  enable: { title: "Turn on the authenticator app", action: "Continue", pending: "Checking…" },
  regenerate: { title: "Replace the backup codes", action: "Make new codes", pending: "Making codes…" },
  disable: { title: "Turn off the authenticator app", action: "Turn off", pending: "Turning off…" },
} as const;

/** Account > Security: the authenticator app (TOTP) and its backup codes, through better-auth's two-factor plugin. */
export function TwoFactorSettings() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const status = useQuery(trpc.account.twoFactor.queryOptions());
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  const refresh = () => invalidate(trpc.account.twoFactor.pathKey(), trpc.account.sessions.pathKey(), trpc.audit.pathKey());

  function go(next: Step) {
    setError(undefined);
    setStep(next);
  }

  async function onPassword(event: FormEvent<HTMLFormElement>, purpose: "enable" | "regenerate" | "disable") {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    setPending(true);
    setError(undefined);
    if (purpose === "enable") {
      // With a passkey already on the account, a new authenticator app needs a second factor first.
      const { data, error: failure } = await withStepUp(() => authClient.twoFactor.enable({ password }));
      if (failure || !data || !("totpURI" in data) || !data.totpURI || !data.backupCodes) setError(failure?.message ?? "The authenticator app could not be set up.");
      else go({ kind: "confirm", totpURI: data.totpURI, backupCodes: data.backupCodes });
    } else if (purpose === "regenerate") {
      const { data, error: failure } = await withStepUp(() => authClient.twoFactor.generateBackupCodes({ password }));
      if (failure || !data) setError(failure?.message ?? "New backup codes could not be made.");
      else {
        go({ kind: "codes", backupCodes: data.backupCodes });
        await refresh();
      }
    } else {
      const { error: failure } = await withStepUp(() => authClient.twoFactor.disable({ password }));
      if (failure) setError(failure.message ?? "The authenticator app could not be turned off.");
      else {
        go({ kind: "idle" });
        toast.success("The authenticator app is turned off, and its backup codes no longer work.");
        await refresh();
      }
    }
    setPending(false);
  }

  async function onConfirm(event: FormEvent<HTMLFormElement>, backupCodes: string[]) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "").replace(/\s+/g, "");
    setPending(true);
    setError(undefined);
    const { error: failure } = await authClient.twoFactor.verifyTotp({ code });
    setPending(false);
    if (failure) {
      setError(failure.message ?? "That code did not match. Check the time on your device and try again.");
      return;
    }
    go({ kind: "codes", backupCodes });
    toast.success("The authenticator app is turned on. Save your backup codes now: they are not shown again.");
    await refresh();
  }

  return (
    <Section title="Security" card>
      <div className="space-y-4 px-5 py-4 text-sm">
        {status.isPending ? (
          <LoadingState label="Loading two-factor settings…" />
        ) : status.isError ? (
          <ErrorState message={`Two-factor settings could not be loaded: ${status.error.message}`} onRetry={() => void status.refetch()} />
        ) : (
          <>
            <div className="flex flex-wrap items-center gap-3">
              <span className="font-medium">Authenticator app</span>
              {status.data.enabled ? <Badge tone="green">On</Badge> : <Badge>Off</Badge>}
              {status.data.enabled ? (
                <span className="text-slate-600">
                  {status.data.backupCodesRemaining} of 10 backup codes left
                </span>
              ) : null}
            </div>
            {step.kind === "idle" ? (
              <div className="flex flex-wrap gap-2">
                {status.data.enabled ? (
                  <>
                    <Button onClick={() => go({ kind: "password", purpose: "regenerate" })}>Regenerate backup codes</Button>
                    <Button variant="danger" onClick={() => go({ kind: "password", purpose: "disable" })}>
                      Turn off authenticator app
                    </Button>
                  </>
                ) : (
                  <Button variant="primary" onClick={() => go({ kind: "password", purpose: "enable" })}>
                    Set up authenticator app
                  </Button>
                )}
              </div>
            ) : null}
          </>
        )}

        {step.kind === "password" ? (
          <form method="post" onSubmit={(event) => void onPassword(event, step.purpose)} className="space-y-3" noValidate>
            <h3 className="font-semibold">{PASSWORD_PROMPTS[step.purpose].title}</h3>
            {step.purpose === "regenerate" ? (
              <p className="text-slate-600">The codes you have now stop working as soon as the new ones are made.</p>
            ) : null}
            <TextField label="Current password" name="password" type="password" autoComplete="current-password" required error={error} />
            <div className="flex gap-2">
              <Button type="submit" variant={step.purpose === "disable" ? "danger" : "primary"} pending={pending} pendingLabel={PASSWORD_PROMPTS[step.purpose].pending}>
                {PASSWORD_PROMPTS[step.purpose].action}
              </Button>
              <Button onClick={() => go({ kind: "idle" })}>Cancel</Button>
            </div>
          </form>
        ) : null}

        {step.kind === "confirm" ? (
          <form method="post" onSubmit={(event) => void onConfirm(event, step.backupCodes)} className="space-y-3" noValidate>
            <h3 className="font-semibold">Scan this code with your authenticator app</h3>
            <TotpQrCode uri={step.totpURI} />
            <p className="text-slate-600">
              Or enter this key by hand: <code className="break-all rounded bg-slate-100 px-1 py-0.5 font-mono">{secretOf(step.totpURI)}</code>
            </p>
            <TextField label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" required error={error} />
            <div className="flex gap-2">
              <Button type="submit" variant="primary" pending={pending} pendingLabel="Checking…">
                Turn on
              </Button>
              <Button onClick={() => go({ kind: "idle" })}>Cancel</Button>
            </div>
          </form>
        ) : null}

        {step.kind === "codes" ? <BackupCodes codes={step.backupCodes} onDone={() => go({ kind: "idle" })} /> : null}
      </div>
    </Section>
  );
}

function secretOf(totpURI: string): string {
  return new URL(totpURI).searchParams.get("secret") ?? "";
}

/** Drawn in the browser: the secret never leaves for a QR-code service. */
function TotpQrCode({ uri }: { uri: string }) {
  const [image, setImage] = useState<string>();
  useEffect(() => {
    let current = true;
    void QRCode.toDataURL(uri, { margin: 1, width: 192 }).then((url) => {
      if (current) setImage(url);
    });
    return () => {
      current = false;
    };
  }, [uri]);
  if (!image) return <div className="size-48 animate-pulse rounded bg-slate-100" />;
  // A data URL drawn here; next/image has nothing to optimise.
  // eslint-disable-next-line @next/next/no-img-element
  return <img src={image} alt="QR code for your authenticator app" width={192} height={192} className="rounded border border-slate-200" />;
}

function BackupCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  function downloadAsText() {
    const text = ["Gatehouse backup codes. Each works once.", "", ...codes, ""].join("\n");
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "gatehouse-backup-codes.txt";
    link.click();
    URL.revokeObjectURL(url);
  }
  return (
    <div className="space-y-3">
      <h3 className="font-semibold">Your backup codes</h3>
      <p className="text-slate-600">
        Each code signs you in once if you lose your authenticator app. Keep them somewhere safe: they are not shown again.
      </p>
      <ul aria-label="Backup codes" className="grid grid-cols-2 gap-2 font-mono">
        {codes.map((code) => (
          <li key={code} className="rounded bg-slate-100 px-2 py-1">
            {code}
          </li>
        ))}
      </ul>
      <div className="flex gap-2">
        <Button onClick={downloadAsText}>Download as text</Button>
        <Button variant="primary" onClick={onDone}>
          I have saved them
        </Button>
      </div>
    </div>
  );
}
