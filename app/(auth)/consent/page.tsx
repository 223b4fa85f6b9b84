import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { summarizeOAuthQuery } from "@/app/_lib/oauth-query";
import { pendingOAuthRequest } from "@/app/_lib/oauth-request";
import { getSession, requireMfaWhereRequired } from "@/server/auth/session";
import { isLoopbackRedirectUri } from "@/server/pages";
import { SCOPE_DESCRIPTIONS, type OAuthScope } from "@/server/shared/scopes";
import { ClientIdentity } from "./_components/client-identity";
import { ConsentActions } from "./_components/consent-actions";

export const metadata: Metadata = {
  title: "Allow access",
  robots: { index: false },
  // The signed request is in this page's URL: the client's logo host must not see it in a Referer.
  referrer: "no-referrer",
};

function describeScope(scope: string): string {
  return Object.hasOwn(SCOPE_DESCRIPTIONS, scope) ? SCOPE_DESCRIPTIONS[scope as OAuthScope] : scope;
}

function RequestProblem({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">{title}</h1>
      <p role="alert" className="text-sm text-slate-600">
        {children}
      </p>
      <Link href="/" className="inline-block text-sm font-medium text-brand-600 hover:underline">
        Go to your Gatehouse account
      </Link>
    </div>
  );
}

export default async function ConsentPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const request = await pendingOAuthRequest(await searchParams);
  const session = await getSession();
  // Before anything else, even before telling them the link carries no request: a user who must enrol does that first.
  if (session) await requireMfaWhereRequired(session.user.id, request ? `/consent?${request.query}` : "/consent");
  if (!request) {
    return (
      <RequestProblem title="No request to answer">
        This page opens when an application asks to use your account, and this link does not carry such a request. Start
        again from the application you were connecting.
      </RequestProblem>
    );
  }
  if (!session) redirect(`/sign-in?${request.query}`);
  const { client } = request;
  if (!client) {
    return (
      <RequestProblem title="Unknown application">
        The application that sent you here is not registered with this Gatehouse server, so it cannot be given access.
      </RequestProblem>
    );
  }
  if (client.disabled) {
    return (
      <RequestProblem title="Application disabled">
        An administrator has disabled {client.name}, so it cannot be given access to your account.
      </RequestProblem>
    );
  }
  if (request.expired) {
    return (
      <RequestProblem title="Request expired">
        This request from {client.name} has expired. Go back to {client.name} and connect again.
      </RequestProblem>
    );
  }

  return (
    <div className="space-y-5">
      <ClientIdentity client={client} redirectsToThisComputer={isLoopbackRedirectUri(summarizeOAuthQuery(request.query).redirectUri)} />
      <p className="text-sm text-slate-600">
        Signed in as <span className="font-medium text-slate-900">{session.user.email}</span>
      </p>
      <section aria-labelledby="requested-access" className="space-y-2">
        <h2 id="requested-access" className="text-sm font-medium text-slate-700">
          {client.name} will be able to:
        </h2>
        {request.scopes.length > 0 ? (
          <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700">
            {request.scopes.map((scope) => (
              <li key={scope}>{describeScope(scope)}</li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-700">Know that you have an account here; it asks for nothing more.</p>
        )}
      </section>
      {request.redirectHost ? (
        <p className="text-sm text-slate-600">
          Whichever you choose, you will be sent back to{" "}
          <span className="font-mono text-slate-900">{request.redirectHost}</span>.
        </p>
      ) : null}
      <ConsentActions clientName={client.name} />
      <p className="text-xs text-slate-500">You can take this access back at any time under Account, Connected apps.</p>
    </div>
  );
}
