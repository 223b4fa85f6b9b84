"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/app/_lib/trpc/client";
import { OAUTH_SCOPES, SCOPE_DESCRIPTIONS, type OAuthScope } from "@/server/shared/scopes";
import type { AppRouter } from "@/server/trpc/root";
import { QueryStates } from "../../_components/list";
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

export function ConnectedApps() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const apps = useQuery(trpc.account.connectedApps.queryOptions());
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
  });

  return (
    <Section title="Connected apps" card>
      {revoke.mutation.isSuccess ? (
        <p role="status" className="border-b border-slate-200 px-5 py-3 text-sm text-green-700">
          Access revoked. The app has to ask you again before it can act for you.
        </p>
      ) : null}
      <QueryStates
        query={apps}
        what="your connected apps"
        failed="Your connected apps could not be loaded"
        isEmpty={(data) => data.length === 0}
        empty={<EmptyState title="No connected apps">Applications you let act for you, such as MCP clients, appear here.</EmptyState>}
      >
        {(data) => (
          <ul className="divide-y divide-slate-100">
            {data.map((app) => (
              <li key={app.clientId} className="flex items-start justify-between gap-4 px-5 py-4 text-sm">
                <div className="min-w-0 space-y-1">
                  <p className="font-medium">{app.clientName}</p>
                  <ul className="list-disc pl-5 text-slate-600" aria-label={`What ${app.clientName} may do`}>
                    {app.scopes.map((scope) => (
                      <li key={scope}>{scopeInWords(scope)}</li>
                    ))}
                  </ul>
                  <p className="text-xs text-slate-500">
                    Granted <LocalTime value={app.createdAt} /> ·{" "}
                    {app.lastUsedAt ? (
                      <>
                        last used <LocalTime value={app.lastUsedAt} />
                      </>
                    ) : (
                      "not used yet"
                    )}
                  </p>
                </div>
                {app.can.revoke ? (
                  <Button
                    variant="secondary"
                    aria-label={`Revoke access to ${app.clientName}`}
                    onClick={() => revoke.ask(app)}
                  >
                    Revoke access
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </QueryStates>
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
