"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Button, ErrorState, LoadingState, PageHeader, Panel } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DeleteDomainDialog } from "./delete-domain-dialog";
import { DomainMembers } from "./domain-members";
import { DomainSettingsForm } from "./domain-settings-form";
import { LocalTime } from "@/app/(console)/_components/ui";

export function DomainDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const domain = useQuery(trpc.domains.get.queryOptions({ id }));
  const [deleting, setDeleting] = useState(false);

  const backLink = (
    <Link href="/domains" className="mb-4 inline-block text-sm font-medium text-brand-600 hover:underline">
      ← All domains
    </Link>
  );

  if (domain.isPending) {
    return (
      <div className="max-w-4xl">
        {backLink}
        <Panel>
          <LoadingState label="Loading the domain…" />
        </Panel>
      </div>
    );
  }
  if (domain.isError) {
    return (
      <div className="max-w-4xl">
        {backLink}
        <h1 className="mb-4 text-2xl font-semibold tracking-tight">Domain</h1>
        <Panel>
          <ErrorState message={`The domain could not be loaded: ${domain.error.message}`} onRetry={() => void domain.refetch()} />
        </Panel>
      </div>
    );
  }

  const current = domain.data;
  return (
    <div className="max-w-4xl">
      {backLink}
      <PageHeader
        title={current.name}
        description={current.slug}
        actions={
          <>
            {current.sees.auditLog ? (
              <Link
                href={`/audit?domainId=${encodeURIComponent(id)}`}
                className="inline-flex items-center justify-center rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100"
              >
                View audit log
              </Link>
            ) : null}
            {current.can.delete ? (
              <Button variant="danger" onClick={() => setDeleting(true)}>
                Delete domain
              </Button>
            ) : null}
          </>
        }
      />
      <div className="space-y-8">
        <section aria-labelledby="domain-settings-heading">
          <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
            <h2 id="domain-settings-heading" className="text-lg font-semibold">
              Settings
            </h2>
            <p className="text-xs text-slate-500">
              Created <LocalTime value={current.createdAt} /> · updated <LocalTime value={current.updatedAt} />
            </p>
          </div>
          <Panel className="px-5 py-5">
            <DomainSettingsForm domain={current} canWrite={current.can.edit} canAdmin={current.can.editPolicy} />
          </Panel>
        </section>
        <section aria-labelledby="domain-members-heading">
          <h2 id="domain-members-heading" className="mb-3 text-lg font-semibold">
            Members <span className="text-sm font-normal text-slate-500">({current.memberCount})</span>
          </h2>
          {current.sees.members ? (
            <DomainMembers domainId={id} domainName={current.name} />
          ) : (
            <Panel className="px-5 py-4 text-sm text-slate-600">
              Seeing who belongs to this domain needs the users:read permission in it.
            </Panel>
          )}
        </section>
      </div>
      <DeleteDomainDialog open={deleting} onClose={() => setDeleting(false)} domain={current} />
    </div>
  );
}
