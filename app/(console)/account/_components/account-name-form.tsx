"use client";

import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { TextField, fieldText } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Button } from "../../_components/ui";
import { useInvalidate } from "../../_components/use-invalidate";

/** The same limit the server checks (displayNameSchema). */
const NAME_MAX_LENGTH = 100;

/** The person's display name, saved through better-auth's own update, which Gatehouse checks and audits. */
export function AccountNameForm({ name }: { name: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next = fieldText(new FormData(event.currentTarget), "name").trim();
    if (!next) {
      setError("Enter a name.");
      return;
    }
    setPending(true);
    setError(undefined);
    const result = await authClient.updateUser({ name: next });
    setPending(false);
    if (result.error) {
      setError(result.error.message || "Your name could not be saved. Try again.");
      return;
    }
    toast.success("Your name is saved.");
    await invalidate(trpc.me.pathKey(), trpc.users.pathKey());
  }

  return (
    <form method="post" onSubmit={(event) => void onSubmit(event)} className="space-y-2 px-5 py-4" noValidate>
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1 basis-56">
          <TextField label="Name" name="name" defaultValue={name} autoComplete="name" maxLength={NAME_MAX_LENGTH} required error={error} />
        </div>
        <Button type="submit" variant="primary" pending={pending} pendingLabel="Saving…">
          Save name
        </Button>
      </div>
    </form>
  );
}
