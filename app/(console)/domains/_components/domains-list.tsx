"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { PagedList, useSearchPages } from "@/app/(console)/_components/list";
import { Badge, Button, EmptyState, LocalTime, PageHeader, Panel } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import { CreateDomainDialog } from "./create-domain-dialog";
import { MFA_POLICY_LABELS, type MfaPolicy } from "./domain-fields";

const MFA_TONES = { off: "amber", optional: "slate", required: "green" } as const;

function MfaPolicyBadge({ policy }: { policy: MfaPolicy }) {
  return <Badge tone={MFA_TONES[policy]}>{MFA_POLICY_LABELS[policy]}</Badge>;
}

export function DomainsList() {
  const trpc = useTRPC();
  const { search, pages, searchField } = useSearchPages({ label: "Search domains", placeholder: "Name or slug" });
  const [creating, setCreating] = useState(false);

  const domains = useQuery(
    trpc.domains.list.queryOptions(
      { search: search || undefined, cursor: pages.cursor },
      { placeholderData: keepPreviousData },
    ),
  );
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
      {searchField}
      <Panel className="overflow-hidden">
        <PagedList
          query={domains}
          pages={pages}
          what="domains"
          empty={
            search ? (
              <EmptyState title="No domains match your search">Try part of another name or slug.</EmptyState>
            ) : (
              <EmptyState title="No domains yet">
                {can.create
                  ? "Create a domain to give a team or customer its own members and policies."
                  : "There are no domains you can see."}
              </EmptyState>
            )
          }
          caption="Domains"
          rowKey={(domain) => domain.id}
          rowClassName="hover:bg-slate-50"
          columns={[
            {
              header: "Name",
              className: "font-medium",
              cell: (domain) => (
                <Link href={`/domains/${domain.id}`} className="text-brand-600 hover:underline">
                  {domain.name}
                </Link>
              ),
            },
            { header: "Slug", className: "font-mono text-xs text-slate-600", cell: (domain) => domain.slug },
            {
              header: "Email domains",
              className: "text-slate-600",
              cell: (domain) =>
                domain.emailDomains.length > 0 ? domain.emailDomains.join(", ") : <span className="text-slate-400">None</span>,
            },
            { header: "MFA policy", cell: (domain) => <MfaPolicyBadge policy={domain.mfaPolicy} /> },
            {
              header: "Members",
              headerClassName: "text-right",
              className: "text-right tabular-nums",
              cell: (domain) => domain.memberCount,
            },
            { header: "Created", className: "text-slate-600", cell: (domain) => <LocalTime value={domain.createdAt} /> },
          ]}
        />
      </Panel>
      <CreateDomainDialog open={creating} onClose={() => setCreating(false)} canAdmin={can.createWithPolicy} />
    </>
  );
}
