"use client";

import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { CheckboxField, NewPasswordField, TextField, fieldText } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Button, Section } from "../../_components/ui";
import { useInvalidate } from "../../_components/use-invalidate";

interface PasswordErrors {
  currentPassword?: string;
  newPassword?: string;
}

/** better-auth's refusals about a field, next to that field; null for the others, which a toast tells. */
function passwordErrors(error: { code?: string; message?: string }): PasswordErrors | null {
  if (error.code === "INVALID_PASSWORD") return { currentPassword: "That password is not right." };
  if (error.code?.startsWith("PASSWORD_")) return { newPassword: error.message || "Choose another password." };
  return null;
}

function passwordRefusal(error: { message?: string; status?: number }): string {
  if (error.status === 429) return error.message || "Too many attempts. Wait a moment and try again.";
  return error.message || "Your password could not be changed. Try again.";
}

/** A new password, given the current one; other browsers can be signed out at the same time. */
export function AccountPasswordForm() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<PasswordErrors>({});
  const [signOutOthers, setSignOutOthers] = useState(true);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const values = new FormData(form);
    const currentPassword = fieldText(values, "currentPassword");
    const newPassword = fieldText(values, "newPassword");
    if (!currentPassword || !newPassword) {
      setErrors({
        currentPassword: currentPassword ? undefined : "Enter your current password.",
        newPassword: newPassword ? undefined : "Choose a new password.",
      });
      return;
    }
    setPending(true);
    setErrors({});
    const result = await authClient.changePassword({ currentPassword, newPassword, revokeOtherSessions: signOutOthers });
    setPending(false);
    if (result.error) {
      const byField = passwordErrors(result.error);
      if (byField) setErrors(byField);
      else toast.error(passwordRefusal(result.error));
      return;
    }
    form.reset();
    toast.success(`Your password is changed${signOutOthers ? ", and your other sessions are signed out" : ""}. We emailed you a note of it.`);
    await invalidate(trpc.account.sessions.pathKey());
  }

  return (
    <Section title="Password" card>
      <form method="post" onSubmit={(event) => void onSubmit(event)} className="space-y-3 px-5 py-4" noValidate>
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          error={errors.currentPassword}
        />
        <NewPasswordField label="New password" name="newPassword" error={errors.newPassword} />
        <CheckboxField
          label="Sign out my other sessions"
          hint="Every other browser signed in to this account must sign in again with the new password."
          checked={signOutOthers}
          onChange={setSignOutOthers}
        />
        <div className="flex justify-end">
          <Button type="submit" variant="primary" pending={pending} pendingLabel="Changing…">
            Change password
          </Button>
        </div>
      </form>
    </Section>
  );
}
