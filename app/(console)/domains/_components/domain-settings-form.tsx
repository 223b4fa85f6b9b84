"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/(console)/_components/ui";
import { toast } from "sonner";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DomainFields, formatEmailDomains, parseEmailDomains, type DomainFormValues, type MfaPolicy } from "./domain-fields";

interface EditableDomain {
  id: string;
  name: string;
  slug: string;
  description: string;
  emailDomains: string[];
  mfaPolicy: MfaPolicy;
}

function valuesOf(domain: EditableDomain): DomainFormValues {
  return {
    name: domain.name,
    slug: domain.slug,
    description: domain.description,
    emailDomains: formatEmailDomains(domain.emailDomains),
    mfaPolicy: domain.mfaPolicy,
  };
}

/**
 * The form starts from the domain as loaded and is not overwritten by background refetches while
 * someone types; a successful save replaces it with the server's normalised values.
 */
export function DomainSettingsForm({
  domain,
  canWrite,
  canAdmin,
}: {
  domain: EditableDomain;
  canWrite: boolean;
  canAdmin: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(() => valuesOf(domain));

  const update = useMutation(
    trpc.domains.update.mutationOptions({
      onSuccess: async (saved) => {
        setValues(valuesOf(saved));
        toast.success(`The settings of ${saved.name} are saved.`);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.domains.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() }),
        ]);
      },
      // Refusals about a field show next to it; any other is told in a toast.
      onError: (error) => {
        if (!error.data?.fieldErrors) toast.error(`The changes were not saved: ${error.message}`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({
      id: domain.id,
      name: values.name,
      slug: values.slug,
      description: values.description,
      // Sent only by those who may change them, so an unchanged form never needs domains:admin.
      ...(canAdmin ? { emailDomains: parseEmailDomains(values.emailDomains), mfaPolicy: values.mfaPolicy } : {}),
    });
  }

  return (
    <form method="post" onSubmit={onSubmit} className="max-w-xl space-y-4" noValidate aria-label="Domain settings">
      {!canWrite ? (
        <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">
          You can view this domain but not change it: that needs the domains:write permission.
        </p>
      ) : null}
      <DomainFields
        values={values}
        onChange={(change) => setValues((current) => ({ ...current, ...change }))}
        errors={update.error?.data?.fieldErrors}
        canWrite={canWrite}
        canAdmin={canAdmin}
        showAdminFieldsReadOnly
      />
      {canWrite ? (
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" pending={update.isPending} pendingLabel="Saving…">
            Save changes
          </Button>
        </div>
      ) : null}
    </form>
  );
}
