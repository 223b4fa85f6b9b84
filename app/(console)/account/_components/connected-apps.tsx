"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/app/_lib/trpc/client";
import { OAUTH_SCOPES, SCOPE_DESCRIPTIONS, type OAuthScope } from "@/server/shared/scopes";
import type { AppRouter } from "@/server/trpc/root";
import { DataTable, useListState, type DataColumn } from "../../_components/data-table";
import { listParsers, prefixedKeys } from "../../_components/list-params";
import { Section, Button, ConfirmDialog, EmptyState, LocalTime } from "../../_components/ui";
import { useConfirmedMutation } from "../../_components/use-confirmed-mutation";
import { useInvalidate } from "../../_components/use-invalidate";

type ConnectedApp = inferRouterOutputs<AppRouter>["account"]["connectedApps"][number];

function isKnownScope(scope: string): scope is OAuthScope {
  return (OAUTH_SCOPES as readonly string[]).includes(scope);
}

/** A scope as people read it; one Gatehouse no longer offers is shown by its name. */
function scopeInWords(scope: string): string {
  return isKnownScope(scope) ? SCOPE_DESCRIPTIONS[scope] : scope;
}

const APPS_PARAMS = listParsers([] as const);
const APPS_URL_KEYS = prefixedKeys(["sort", "pages", "hide"] as const, "apps.");

const APP_COLUMNS: Array<DataColumn<ConnectedApp>> = [
  {
    id: "app",
    header: "App",
    enableHiding: false,
    meta: { key: true, className: "font-medium" },
    cell: ({ row }) => row.original.clientName,
  },
  {
    id: "scopes",
    header: "May",
    cell: ({ row: { original: app } }) => (
      <ul className="list-disc pl-5 text-slate-600" aria-label={`What ${app.clientName} may do`}>
        {app.scopes.map((scope) => (
          <li key={scope}>{scopeInWords(scope)}</li>
        ))}
      </ul>
    ),
  },
  { id: "createdAt", header: "Granted", meta: { className: "whitespace-nowrap text-slate-600" }, cell: ({ row }) => <LocalTime value={row.original.createdAt} /> },
  {
    id: "lastUsed",
    header: "Last used",
    meta: { className: "whitespace-nowrap text-slate-600" },
    cell: ({ row }) => (row.original.lastUsedAt ? <LocalTime value={row.original.lastUsedAt} /> : "Not used yet"),
  },
];

export function ConnectedApps() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  // One's own apps are few and come in one answer: the table reads them as a page without a next one.
  const apps = useQuery({ ...trpc.account.connectedApps.queryOptions(), select: (items) => ({ items, nextCursor: null }) });
  const list = useListState(APPS_PARAMS, APPS_URL_KEYS);
  const revoke = useConfirmedMutation({
    mutation: trpc.account.revokeApp.mutationOptions(),
    variables: (app: ConnectedApp) => ({ clientId: app.clientId }),
    onSuccess: () =>
      invalidate(
        trpc.account.connectedApps.pathKey(),
        trpc.grants.pathKey(),
        trpc.sessions.pathKey(),
        trpc.clients.pathKey(),
        trpc.audit.pathKey(),
      ),
    success: (app) => `Access revoked: ${app.clientName} has to ask you again before it can act for you.`,
  });

  return (
    <Section title="Connected apps" card>
      <DataTable
        query={apps}
        list={list}
        paged={false}
        what="your connected apps"
        failed="Your connected apps could not be loaded"
        empty={<EmptyState title="No connected apps">Applications you let act for you, such as MCP clients, appear here.</EmptyState>}
        caption="Your connected apps"
        getRowId={(app) => app.clientId}
        alignTop
        columns={[
          ...APP_COLUMNS,
          {
            id: "actions",
            header: () => <span className="sr-only">Actions</span>,
            enableHiding: false,
            meta: { className: "text-right" },
            cell: ({ row: { original: app } }) =>
              app.can.revoke ? (
                <Button variant="secondary" aria-label={`Revoke access to ${app.clientName}`} onClick={() => revoke.ask(app)}>
                  Revoke access
                </Button>
              ) : null,
          },
        ]}
      />
      <ConfirmDialog
        {...revoke.dialog}
        title="Revoke access"
        confirmLabel="Revoke"
      >
        {revoke.target ? (
          <p>
            Revoke the access of <strong>{revoke.target.clientName}</strong> to your account? Its tokens stop working at once, and it has
            to ask you again before it can act for you.
          </p>
        ) : null}
      </ConfirmDialog>
    </Section>
  );
}
