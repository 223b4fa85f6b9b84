"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { FormAlert } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { FormFooter, Dialog } from "../../_components/ui";
import { ClientFields, formMessage, parseRedirectUris, type ClientFormValues } from "./client-fields";
import { useInvalidateClients, type ClientDetail } from "./shared";

export function EditClientDialog({
  open,
  onClose,
  client,
  canTrust,
}: {
  open: boolean;
  onClose: () => void;
  client: ClientDetail;
  canTrust: boolean;
}) {
  // Mounted only while open, so each opening starts from the client as it is now.
  return (
    <Dialog open={open} onClose={onClose} title={`Edit ${client.name}`}>
      <EditClientForm onClose={onClose} client={client} canTrust={canTrust} />
    </Dialog>
  );
}

function EditClientForm({ onClose, client, canTrust }: { onClose: () => void; client: ClientDetail; canTrust: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateClients();
  const [values, setValues] = useState<ClientFormValues>({
    name: client.name,
    redirectUris: client.redirectUris.join("\n"),
    scopes: client.scopes,
    logoUri: client.logoUri ?? "",
    skipConsent: client.skipConsent,
  });
  const [sentLines, setSentLines] = useState<number[]>([]);

  const update = useMutation(
    trpc.clients.update.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onClose();
        toast.success(`${values.name.trim() || client.name} is saved.`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { uris, lines } = parseRedirectUris(values.redirectUris);
    setSentLines(lines);
    update.mutate({
      clientId: client.clientId,
      name: values.name,
      redirectUris: uris,
      scopes: values.scopes,
      logoUri: values.logoUri.trim(),
      // Sent only by those who may change it, so an unchanged form never needs clients:admin.
      ...(canTrust ? { skipConsent: values.skipConsent } : {}),
    });
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={formMessage(update.error)} />
      <ClientFields
        values={values}
        onChange={(change) => setValues((current) => ({ ...current, ...change }))}
        errors={update.error?.data?.fieldErrors}
        sentLines={sentLines}
        canTrust={canTrust}
      />
      <p className="text-xs text-slate-500">The type and owning domain of a client cannot change; register a new client instead.</p>
      <FormFooter onCancel={onClose} submitLabel="Save changes" pending={update.isPending} pendingLabel="Saving…" />
    </form>
  );
}
