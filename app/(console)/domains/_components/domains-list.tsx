"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import {
  Badge,
  Button,
  EmptyState,
  ErrorState,
  LoadingState,
  PageHeader,
  Pager,
  Panel,
  SearchField,
  useCursorPages,
} from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import { CreateDomainDialog } from "./create-domain-dialog";
import { MFA_POLICY_LABELS, type MfaPolicy } from "./domain-fields";
import { LocalTime } from "@/app/(console)/_components/ui";

const MFA_TONES = { off: "amber", optional: "slate", required: "green" } as const;

function MfaPolicyBadge({ policy }: { policy: MfaPolicy }) {
  return <Badge tone={MFA_TONES[policy]}>{MFA_POLICY_LABELS[policy]}</Badge>;
}

export function DomainsList() {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const pages = useCursorPages();
  const [creating, setCreating] = useState(false);

  const domains = useQuery(
    trpc.domains.list.queryOptions(
      { search: search || undefined, cursor: pages.cursor },
      { placeholderData: keepPreviousData },
    ),
  );
  const nextCursor = domains.data?.nextCursor ?? null;
  // What the caller may do is the server's answer, carried by the list itself.
  const can = domains.data?.can ?? { create: false, createWithPolicy: false };

  return (
    <>
      <PageHeader
        title="Domains"
        description="Tenants: each has its own members, joining email domains and MFA policy."
        actions={
          can.create ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New domain
            </Button>
          ) : null
        }
      />
      <div className="mb-4 max-w-sm">
        <SearchField
          label="Search domains"
          placeholder="Name or slug"
          onSearch={(value) => {
            if (value === search) return;
            setSearch(value);
            pages.reset();
          }}
        />
      </div>
      <Panel className="overflow-hidden">
        {domains.isPending ? (
          <LoadingState label="Loading domains…" />
        ) : domains.isError ? (
          <ErrorState message={`The domains could not be loaded: ${domains.error.message}`} onRetry={() => void domains.refetch()} />
        ) : domains.data.items.length === 0 ? (
          search ? (
            <EmptyState title="No domains match your search">Try part of another name or slug.</EmptyState>
          ) : (
            <EmptyState title="No domains yet">
              {can.create
                ? "Create a domain to give a team or customer its own members and policies."
                : "There are no domains you can see."}
            </EmptyState>
          )
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-slate-200 text-sm" aria-busy={domains.isPlaceholderData || undefined}>
              <caption className="sr-only">Domains</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-3">
                    Name
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Slug
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Email domains
                  </th>
                  <th scope="col" className="px-4 py-3">
                    MFA policy
                  </th>
                  <th scope="col" className="px-4 py-3 text-right">
                    Members
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Created
                  </th>
                </tr>
              </thead>
              <tbody className={`divide-y divide-slate-100 ${domains.isPlaceholderData ? "opacity-60" : ""}`}>
                {domains.data.items.map((domain) => (
                  <tr key={domain.id} className="hover:bg-slate-50">
                    <td className="px-4 py-3 font-medium">
                      <Link href={`/domains/${domain.id}`} className="text-brand-600 hover:underline">
                        {domain.name}
                      </Link>
                    </td>
                    <td className="px-4 py-3 font-mono text-xs text-slate-600">{domain.slug}</td>
                    <td className="px-4 py-3 text-slate-600">
                      {domain.emailDomains.length > 0 ? domain.emailDomains.join(", ") : <span className="text-slate-400">None</span>}
                    </td>
                    <td className="px-4 py-3">
                      <MfaPolicyBadge policy={domain.mfaPolicy} />
                    </td>
                    <td className="px-4 py-3 text-right tabular-nums">{domain.memberCount}</td>
                    <td className="px-4 py-3 text-slate-600">
                      <LocalTime value={domain.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {domains.isSuccess && (domains.data.items.length > 0 || pages.pageNumber > 1) ? (
          <Pager
            label="Domains pages"
            pageNumber={pages.pageNumber}
            hasNext={nextCursor !== null && !domains.isPlaceholderData}
            onNext={() => {
              if (nextCursor) pages.next(nextCursor);
            }}
            onPrevious={pages.previous}
          />
        ) : null}
      </Panel>
      <CreateDomainDialog open={creating} onClose={() => setCreating(false)} canAdmin={can.createWithPolicy} />
    </>
  );
}
