"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DataTable, useListState, type DataColumn } from "../../_components/data-table";
import { sortableTimeColumn } from "../../_components/columns";
import { ChoiceFilter, FilterBar, NoMatches, byName, choicesOf } from "../../_components/filters";
import { Button, EmptyState, PageHeader, Panel } from "../../_components/ui";
import { clientsListInput, clientsParams } from "./queries";
import { RegisterClientDialog } from "./register-client-dialog";
import { ClientStatusBadge, ClientTypeBadge, ownerLabel, useInvalidateClients, type ClientListItem } from "./shared";

export function ClientsList() {
  const trpc = useTRPC();
  const list = useListState(clientsParams);
  const { state } = list;
  const filtered = state.q !== "" || state.type !== null || state.status !== null || state.origin !== null || state.domain !== "";
  const clearFilters = () => list.change({ q: null, type: null, status: null, origin: null, domain: null });
  const [registering, setRegistering] = useState(false);
  const invalidate = useInvalidateClients();
  const deleteMany = useMutation(trpc.clients.deleteMany.mutationOptions({ onSuccess: () => invalidate() }));

  const clients = useQuery({
    ...trpc.clients.list.queryOptions(clientsListInput(state)),
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
          searchLabel="Search clients"
          searchPlaceholder="Name or client ID"
          search={state.q}
          onSearch={(q) => list.change({ q: q || null })}
          filtered={filtered}
          onClear={clearFilters}
        >
          {CHOICE_FILTERS.map((filter) => (
            <ChoiceFilter
              key={filter.key}
              label={filter.label}
              width={filter.width}
              value={state[filter.key] ?? ""}
              onChange={(value) => list.change({ [filter.key]: value || null })}
              anyLabel={filter.anyLabel}
              choices={filter.choices}
            />
          ))}
          {domainOptions.length > 1 ? (
            <ChoiceFilter
              label="Domain"
              value={state.domain}
              onChange={(domain) => list.change({ domain: domain || null })}
              anyLabel="Any domain"
              choices={byName(domainOptions)}
            />
          ) : null}
        </FilterBar>
        <DataTable
          query={clients}
          list={list}
          defaultSort={{ by: "createdAt", direction: "desc" }}
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
          getRowId={(client) => client.clientId}
          rowClassName="hover:bg-slate-50"
          columns={CLIENT_COLUMNS}
          bulk={{
            verb: "Delete",
            done: "Deleted",
            noun: ["client", "clients"],
            allows: (client) => client.can.delete,
            name: (client) => client.name,
            consequence: "Their consents and tokens are deleted with them, and every token they hold stops working at once. This cannot be undone.",
            pending: deleteMany.isPending,
            error: deleteMany.error?.message,
            run: (rows) => deleteMany.mutateAsync({ clientIds: rows.map((client) => client.clientId) }),
          }}
        />
      </Panel>
      {clients.data ? (
        <RegisterClientDialog open={registering} onClose={() => setRegistering(false)} can={clients.data.can} domains={clients.data.domains} />
      ) : null}
    </>
  );
}

const CLIENT_COLUMNS: Array<DataColumn<ClientListItem>> = [
  {
    id: "name",
    header: "Name",
    enableSorting: true,
    enableHiding: false,
    meta: { key: true },
    cell: ({ row: { original: client } }) => (
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
  { id: "type", header: "Type", cell: ({ row }) => <ClientTypeBadge type={row.original.type} /> },
  { id: "domain", header: "Domain", meta: { className: "text-slate-700" }, cell: ({ row }) => ownerLabel(row.original.domainName) },
  { id: "status", header: "Status", cell: ({ row }) => <ClientStatusBadge disabled={row.original.disabled} /> },
  sortableTimeColumn("createdAt", "Created", (client) => client.createdAt),
];

/** The fixed choices among the filters; the domain filter's choices come from the server. */
const CHOICE_FILTERS: Array<{
  key: "type" | "status" | "origin";
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
