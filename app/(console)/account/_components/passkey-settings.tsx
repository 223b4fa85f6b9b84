"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { FormAlert, TextField } from "@/app/_components/form";
import { authClient } from "@/app/_lib/auth-client";
import { passkeyRegistrationErrorMessage } from "@/app/_lib/passkey-errors";
import { withStepUp } from "@/app/_lib/step-up";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { QueryStates } from "../../_components/list";
import { Section, Button, FormFooter, ConfirmDialog, Dialog, EmptyState, LocalTime } from "../../_components/ui";
import { useConfirmedMutation } from "../../_components/use-confirmed-mutation";
import { useInvalidate } from "../../_components/use-invalidate";

type OwnPasskey = inferRouterOutputs<AppRouter>["account"]["passkeys"][number];

/** Long enough for "Work laptop (Chrome profile 2)", short enough to fit the list. */
const NAME_MAX_LENGTH = 100;

function passkeyName(passkey: OwnPasskey): string {
  return passkey.name || "Unnamed passkey";
}

/**
 * Account > Security: the user's passkeys. The list comes from tRPC (with Gatehouse's last-used
 * time); adding, renaming and deleting go through better-auth's passkey endpoints, which own the
 * table and run the WebAuthn ceremony. A refusal for want of a recent sign-in opens the step-up
 * dialog and the request is made again.
 */
export function PasskeySettings() {
  const trpc = useTRPC();
  const passkeys = useQuery(trpc.account.passkeys.queryOptions());
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string>();
  const [renaming, setRenaming] = useState<OwnPasskey | null>(null);

  const invalidateQueries = useInvalidate();
  const invalidate = () => invalidateQueries(trpc.account.passkeys.pathKey(), trpc.users.pathKey(), trpc.audit.pathKey());

  const rename = useMutation({
    mutationFn: async ({ id, name }: { id: string; name: string }) => {
      const { error } = await authClient.passkey.updatePasskey({ id, name });
      if (error) throw new Error(error.message || "The passkey could not be renamed. Try again.");
    },
    onSuccess: async (_data, { name }) => {
      setRenaming(null);
      toast.success(`The passkey is now called “${name}”.`);
      await invalidate();
    },
  });

  const remove = useConfirmedMutation({
    mutation: {
      mutationFn: async ({ id }: { id: string }) => {
        // Deleting the last one asks for a recent sign-in.
        const { error } = await withStepUp(() => authClient.passkey.deletePasskey({ id }));
        if (error) throw new Error(error.message || "The passkey could not be deleted. Try again.");
      },
    },
    variables: (passkey: OwnPasskey) => ({ id: passkey.id }),
    onSuccess: invalidate,
    success: (passkey) => `Passkey “${passkeyName(passkey)}” deleted.`,
  });

  async function onAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get("name") ?? "").trim();
    if (!name) {
      setAddError("Give the passkey a name, such as the device it is on.");
      return;
    }
    setAdding(true);
    setAddError(undefined);
    // Adding one asks for a recent sign-in, and for a second factor if the account has one.
    const result = await withStepUp(() => authClient.passkey.addPasskey({ name }));
    setAdding(false);
    if (result?.error) {
      toast.error(passkeyRegistrationErrorMessage(result.error));
      return;
    }
    form.reset();
    toast.success(`Passkey “${name}” added.`);
    await invalidate();
  }

  function onRename(event: FormEvent<HTMLFormElement>, passkey: OwnPasskey) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
    if (name) rename.mutate({ id: passkey.id, name });
  }

  return (
    <Section title="Passkeys" card>
      <div className="space-y-4 px-5 py-4 text-sm">
        <p className="text-slate-600">
          A passkey signs you in with your device&apos;s screen lock or a security key, without your password or a code.
        </p>
        <form method="post" onSubmit={(event) => void onAdd(event)} className="flex flex-wrap items-end gap-2" noValidate>
          <div className="min-w-56 flex-1">
            <TextField
              label="Passkey name"
              name="name"
              maxLength={NAME_MAX_LENGTH}
              placeholder="Work laptop"
              autoComplete="off"
              required
              error={addError}
            />
          </div>
          <Button type="submit" variant="primary" pending={adding} pendingLabel="Waiting for your device…">
            Add passkey
          </Button>
        </form>
      </div>
      <QueryStates
        query={passkeys}
        what="your passkeys"
        failed="Your passkeys could not be loaded"
        isEmpty={(data) => data.length === 0}
        empty={<EmptyState title="No passkeys yet">Passkeys you add appear here.</EmptyState>}
      >
        {(data) => (
          <ul aria-label="Your passkeys" className="divide-y divide-slate-100 border-t border-slate-200">
            {data.map((passkey) => (
              <li key={passkey.id} className="flex items-center justify-between gap-4 px-5 py-3 text-sm">
                <div className="min-w-0">
                  <p className="truncate font-medium">{passkeyName(passkey)}</p>
                  <p className="text-xs text-slate-500">
                    Added {passkey.createdAt ? <LocalTime value={passkey.createdAt} /> : "at an unknown time"} · last used{" "}
                    {passkey.lastUsedAt ? <LocalTime value={passkey.lastUsedAt} /> : "never"}
                  </p>
                </div>
                <div className="flex shrink-0 gap-1">
                  <Button
                    variant="ghost"
                    aria-label={`Rename passkey ${passkeyName(passkey)}`}
                    onClick={() => {
                      rename.reset();
                      setRenaming(passkey);
                    }}
                  >
                    Rename
                  </Button>
                  <Button
                    variant="ghost"
                    aria-label={`Delete passkey ${passkeyName(passkey)}`}
                    onClick={() => remove.ask(passkey)}
                  >
                    Delete
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </QueryStates>
      <Dialog open={renaming !== null} onClose={() => setRenaming(null)} title="Rename passkey">
        {renaming ? (
          <form method="post" onSubmit={(event) => onRename(event, renaming)} className="space-y-4">
            <FormAlert message={rename.error?.message} />
            <TextField
              label="New name"
              name="name"
              defaultValue={renaming.name ?? ""}
              maxLength={NAME_MAX_LENGTH}
              autoComplete="off"
              required
            />
            <FormFooter onCancel={() => setRenaming(null)} submitLabel="Save name" pending={rename.isPending} pendingLabel="Saving…" />
          </form>
        ) : null}
      </Dialog>
      <ConfirmDialog
        {...remove.dialog}
        title="Delete passkey"
        confirmLabel="Delete passkey"
      >
        {remove.target ? (
          <p>
            Delete the passkey <strong>{passkeyName(remove.target)}</strong>? It stops signing you in at once. The copy on your device
            stays there until you remove it from the device too.
          </p>
        ) : null}
      </ConfirmDialog>
    </Section>
  );
}
