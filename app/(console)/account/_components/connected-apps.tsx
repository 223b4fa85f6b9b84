"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { OAUTH_SCOPES, SCOPE_DESCRIPTIONS, type OAuthScope } from "@/server/shared/scopes";
import type { AppRouter } from "@/server/trpc/root";
import { Button, ConfirmDialog, EmptyState, ErrorState, LoadingState, LocalTime } from "../../_components/ui";

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
  const queryClient = useQueryClient();
  const apps = useQuery(trpc.account.connectedApps.queryOptions());
  const [revoking, setRevoking] = useState<ConnectedApp | null>(null);

  const revoke = useMutation(
    trpc.account.revokeApp.mutationOptions({
      onSuccess: async () => {
        setRevoking(null);
        await Promise.all(
          [trpc.account.connectedApps.pathKey(), trpc.grants.pathKey(), trpc.sessions.pathKey(), trpc.clients.pathKey(), trpc.audit.pathKey()].map(
            (queryKey) => queryClient.invalidateQueries({ queryKey }),
          ),
        );
      },
    }),
  );

  return (
    <section aria-labelledby="connected-apps-heading" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <h2 id="connected-apps-heading" className="border-b border-slate-200 px-5 py-3 text-sm font-semibold">
        Connected apps
      </h2>
      {revoke.isSuccess ? (
        <p role="status" className="border-b border-slate-200 px-5 py-3 text-sm text-green-700">
          Access revoked. The app has to ask you again before it can act for you.
        </p>
      ) : null}
      {apps.isPending ? (
        <LoadingState label="Loading your connected apps…" />
      ) : apps.isError ? (
        <ErrorState message={`Your connected apps could not be loaded: ${apps.error.message}`} onRetry={() => void apps.refetch()} />
      ) : apps.data.length === 0 ? (
        <EmptyState title="No connected apps">Applications you let act for you, such as MCP clients, appear here.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100">
          {apps.data.map((app) => (
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
                  onClick={() => {
                    revoke.reset();
                    setRevoking(app);
                  }}
                >
                  Revoke access
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={revoking !== null}
        onCancel={() => setRevoking(null)}
        onConfirm={() => {
          if (revoking) revoke.mutate({ clientId: revoking.clientId });
        }}
        title="Revoke access"
        confirmLabel="Revoke"
        pending={revoke.isPending}
        error={revoke.error?.message}
      >
        {revoking ? (
          <p>
            Revoke the access of <strong>{revoking.clientName}</strong> to your account? Its tokens stop working at once, and it has
            to ask you again before it can act for you.
          </p>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
