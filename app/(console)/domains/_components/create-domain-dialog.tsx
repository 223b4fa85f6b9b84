"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { FormFooter, Dialog } from "@/app/(console)/_components/ui";
import { FormAlert } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DomainFields, parseEmailDomains, suggestSlug, type DomainFormValues } from "./domain-fields";

export function CreateDomainDialog({ open, onClose, canAdmin }: { open: boolean; onClose: () => void; canAdmin: boolean }) {
  // The form mounts only while the dialog is open, so every opening starts blank.
  return (
    <Dialog open={open} onClose={onClose} title="Create domain">
      <CreateDomainForm onClose={onClose} canAdmin={canAdmin} />
    </Dialog>
  );
}

function CreateDomainForm({ onClose, canAdmin }: { onClose: () => void; canAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Omit<DomainFormValues, "slug">>({
    name: "",
    description: "",
    emailDomains: "",
    mfaPolicy: "optional",
  });
  // The slug follows the name until the person edits it themselves.
  const [editedSlug, setEditedSlug] = useState<string | null>(null);
  const slug = editedSlug ?? suggestSlug(values.name);

  const create = useMutation(
    trpc.domains.create.mutationOptions({
      onSuccess: async (created) => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.domains.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() }),
        ]);
        onClose();
        toast.success(`Domain ${created.name} created.`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({
      name: values.name,
      slug,
      description: values.description,
      // Only holders of domains:admin see these fields; leaving them out keeps the server defaults.
      ...(canAdmin ? { emailDomains: parseEmailDomains(values.emailDomains), mfaPolicy: values.mfaPolicy } : {}),
    });
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <DomainFields
        values={{ ...values, slug }}
        onChange={({ slug: nextSlug, ...change }) => {
          if (nextSlug !== undefined) setEditedSlug(nextSlug);
          setValues((current) => ({ ...current, ...change }));
        }}
        errors={create.error?.data?.fieldErrors}
        canWrite
        canAdmin={canAdmin}
        showAdminFieldsReadOnly={false}
      />
      <FormAlert message={create.error?.message} />
      <FormFooter onCancel={onClose} submitLabel="Create domain" pending={create.isPending} pendingLabel="Creating…" />
    </form>
  );
}
