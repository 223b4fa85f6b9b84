"use client";

import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { TextField, fieldText } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { withStepUp } from "@/app/_lib/step-up";
import { Button } from "../../_components/ui";

/**
 * Asks for the email address to change. Nothing changes here: better-auth sends a link to the new
 * address, which makes the change when opened in a browser signed in to this account, and the
 * current address is told. The answer is the same whether the new address is free or taken, so the
 * form says what happens next without claiming the link was sent. It needs a recent sign-in, which
 * the step-up dialog asks for.
 */
export function AccountEmailForm({ email }: { email: string }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const newEmail = fieldText(new FormData(form), "newEmail").trim().toLowerCase();
    if (!newEmail.includes("@")) {
      setError("Enter the new email address.");
      return;
    }
    if (newEmail === email.toLowerCase()) {
      setError("That is already your email address.");
      return;
    }
    setPending(true);
    setError(undefined);
    const result = await withStepUp(() => authClient.changeEmail({ newEmail }));
    setPending(false);
    if (result.error) {
      setError(result.error.message || "The change could not be asked for. Try again.");
      return;
    }
    form.reset();
    // What to do next matters here, so the toast stays until it is closed.
    toast.success(`If ${newEmail} can be used, a link to confirm it is on its way there.`, {
      description: `Open it within an hour in this browser, signed in to this account. Until then your address stays ${email}, which we have told of the request.`,
      duration: Infinity,
    });
  }

  return (
    <form method="post" onSubmit={(event) => void onSubmit(event)} className="space-y-2 px-5 py-4" noValidate>
      <p className="text-sm text-slate-600">
        Your email address is <strong className="break-all text-slate-900">{email}</strong>.
      </p>
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1 basis-56">
          <TextField
            label="New email address"
            name="newEmail"
            type="email"
            autoComplete="email"
            required
            error={error}
            hint="We send a link to the new address; the change happens when you open it here, signed in."
          />
        </div>
        <Button type="submit" pending={pending} pendingLabel="Sending…">
          Change email
        </Button>
      </div>
    </form>
  );
}
