"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { ChoiceFilter, FilterBar, NoMatches, byName, choicesOf, useListFilters } from "../../_components/filters";
import { PagedList } from "../../_components/list";
import { Button, EmptyState, LocalTime, PageHeader, Panel } from "../../_components/ui";
import { EMPTY_CLIENT_FILTERS, clientsListInput, type ClientFilters } from "./queries";
import { RegisterClientDialog } from "./register-client-dialog";
import { ClientStatusBadge, ClientTypeBadge, ownerLabel } from "./shared";

export function ClientsList() {
  const trpc = useTRPC();
  const { filters, pages, changeFilters, searchKey, filtered, clearFilters } = useListFilters(EMPTY_CLIENT_FILTERS, EMPTY_CLIENT_FILTERS);
  const [registering, setRegistering] = useState(false);

  const clients = useQuery({
    ...trpc.clients.list.queryOptions(clientsListInput(filters, pages.cursor)),
    placeholderData: keepPreviousData,
  });

  // The server says where the caller sees clients and where they may register one.
  const domainOptions = clients.data?.domains ?? [];
  const canWrite = clients.data?.can.create ?? false;

  return (
    <>
      <PageHeader
        title="Clients"
        description="The OAuth applications that may ask people for access: MCP clients, agents and your own apps."
        actions={
          canWrite ? (
            <Button variant="primary" onClick={() => setRegistering(true)}>
              Register client
            </Button>
          ) : null
        }
      />
      <Panel>
        <FilterBar
          searchKey={searchKey}
          searchLabel="Search clients"
          searchPlaceholder="Name or client ID"
          search={filters.search}
          onSearch={(search) => changeFilters({ search })}
          filtered={filtered}
          onClear={clearFilters}
        >
          {CHOICE_FILTERS.map((filter) => (
            <ChoiceFilter
              key={filter.key}
              label={filter.label}
              width={filter.width}
              value={filters[filter.key]}
              onChange={(value) => changeFilters({ [filter.key]: value })}
              anyLabel={filter.anyLabel}
              choices={filter.choices}
            />
          ))}
          {domainOptions.length > 1 ? (
            <ChoiceFilter
              label="Domain"
              value={filters.domainId}
              onChange={(domainId) => changeFilters({ domainId })}
              anyLabel="Any domain"
              choices={byName(domainOptions)}
            />
          ) : null}
        </FilterBar>
        <PagedList
          query={clients}
          pages={pages}
          what="clients"
          empty={
            filtered ? (
              <NoMatches what="clients" hint="Try another search, type, status, origin or domain." onClear={clearFilters} />
            ) : (
              <EmptyState title="No clients yet">
                {canWrite
                  ? "Register a client to let an application ask people for access."
                  : "Clients you can see will be listed here."}
              </EmptyState>
            )
          }
          caption="Clients"
          rowKey={(client) => client.clientId}
          rowClassName="hover:bg-slate-50"
          columns={[
            {
              header: "Name",
              cell: (client) => (
                <>
                  <Link href={`/clients/${encodeURIComponent(client.clientId)}`} className="font-medium text-brand-600 hover:underline">
                    {client.name}
                  </Link>
                  <p className="font-mono text-xs break-all text-slate-500">{client.clientId}</p>
                  {client.metadataDocumentHost ? (
                    <p className="text-xs text-slate-600">
                      Identified by its metadata document on <span className="font-medium">{client.metadataDocumentHost}</span>
                    </p>
                  ) : null}
                </>
              ),
            },
            { header: "Type", cell: (client) => <ClientTypeBadge type={client.type} /> },
            { header: "Domain", className: "text-slate-700", cell: (client) => ownerLabel(client.domainName) },
            { header: "Status", cell: (client) => <ClientStatusBadge disabled={client.disabled} /> },
            { header: "Created", className: "text-slate-600", cell: (client) => <LocalTime value={client.createdAt} /> },
          ]}
        />
      </Panel>
      {clients.data ? (
        <RegisterClientDialog open={registering} onClose={() => setRegistering(false)} can={clients.data.can} domains={clients.data.domains} />
      ) : null}
    </>
  );
}

/** The fixed choices among the filters; the domain filter's choices come from the server. */
const CHOICE_FILTERS: Array<{
  key: Exclude<keyof ClientFilters, "search" | "domainId">;
  label: string;
  width?: string;
  anyLabel: string;
  choices: Array<{ value: string; label: string }>;
}> = [
  { key: "type", label: "Type", width: "w-44", anyLabel: "Any type", choices: choicesOf({ public: "Public", confidential: "Confidential" }) },
  { key: "status", label: "Status", width: "w-44", anyLabel: "Any status", choices: choicesOf({ active: "Active", disabled: "Disabled" }) },
  {
    key: "origin",
    label: "Origin",
    anyLabel: "Any origin",
    choices: choicesOf({ console: "Registered in the console", dynamic: "Dynamic registration", metadata_document: "Metadata document" }),
  },
];
