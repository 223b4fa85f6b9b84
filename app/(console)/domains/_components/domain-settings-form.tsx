"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/(console)/_components/ui";
import { FormAlert } from "@/app/_components/form";
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

function sameValues(a: DomainFormValues, b: DomainFormValues): boolean {
  return (
    a.name === b.name &&
    a.slug === b.slug &&
    a.description === b.description &&
    a.mfaPolicy === b.mfaPolicy &&
    formatEmailDomains(parseEmailDomains(a.emailDomains)) === formatEmailDomains(parseEmailDomains(b.emailDomains))
  );
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
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.domains.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() }),
        ]);
      },
    }),
  );
  const saved = update.isSuccess && sameValues(values, valuesOf(update.data));

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
      <FormAlert message={update.error?.message} />
      {canWrite ? (
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" pending={update.isPending} pendingLabel="Saving…">
            Save changes
          </Button>
          <p role="status" className="text-sm text-green-700">
            {saved ? "Changes saved." : ""}
          </p>
        </div>
      ) : null}
    </form>
  );
}
