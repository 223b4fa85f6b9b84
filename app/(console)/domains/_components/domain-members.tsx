"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { PagedList, useSearchPages } from "@/app/(console)/_components/list";
import { Badge, EmptyState, Panel, StatusBadge } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";

export function DomainMembers({ domainId, domainName }: { domainId: string; domainName: string }) {
  const trpc = useTRPC();
  const { search, pages, searchField } = useSearchPages({ label: "Search members", placeholder: "Email or name" });
  const members = useQuery(
    trpc.domains.members.queryOptions(
      { id: domainId, search: search || undefined, cursor: pages.cursor },
      { placeholderData: keepPreviousData },
    ),
  );

  return (
    <>
      {searchField}
      <Panel className="overflow-hidden">
        <PagedList
          query={members}
          pages={pages}
          what="members"
          empty={
            search ? (
              <EmptyState title="No members match your search">Try part of another email address or name.</EmptyState>
            ) : (
              <EmptyState title="No members yet">People join a domain when they are given a role in it.</EmptyState>
            )
          }
          caption={`Members of ${domainName}`}
          rowKey={(member) => member.id}
          columns={[
            { header: "Email", className: "font-medium break-all", cell: (member) => member.email },
            { header: "Name", className: "text-slate-700", cell: (member) => member.name },
            {
              header: "Roles in this domain",
              cell: (member) => (
                <ul className="flex flex-wrap gap-1" aria-label={`Roles of ${member.email} in this domain`}>
                  {member.roles.map((role) => (
                    <li key={role.roleId}>
                      <Badge tone="brand">{role.roleName}</Badge>
                    </li>
                  ))}
                </ul>
              ),
            },
            { header: "Status", cell: (member) => <StatusBadge banned={member.banned} /> },
          ]}
        />
      </Panel>
    </>
  );
}
