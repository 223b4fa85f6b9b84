import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Cannot connect the application", robots: { index: false } };

/**
 * The provider sends authorization errors here when it cannot trust the client's redirect URI with
 * them (RFC 6749 §4.1.2.1). The codes are the provider's; the sentences say what the person can do.
 */
const EXPLANATIONS: Record<string, string> = {
  invalid_client:
    "The application is not registered with this Gatehouse server. If it names itself by the address of a document that describes it, the details below say why Gatehouse could not use that document.",
  temporarily_unavailable: "Gatehouse could not check the application's description just now.",
  client_disabled: "An administrator has disabled this application.",
  invalid_redirect: "The application asked to send you to an address it has not registered, so Gatehouse stopped here.",
  unauthorized_client: "This application is not allowed to ask for access this way.",
  unsupported_response_type: "The application asked for access in a way Gatehouse does not support.",
  invalid_request: "The application's request was incomplete or malformed.",
};

/** Query values are whatever the link says; they are shown as text, and long ones are cut short. */
function param(value: string | string[] | undefined, max: number): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export default async function OAuthErrorPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const code = param(params.error, 100);
  const description = param(params.error_description, 500);
  const explanation = (code && Object.hasOwn(EXPLANATIONS, code) ? EXPLANATIONS[code] : null) ?? "The application's request could not be completed.";
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Cannot connect the application</h1>
      <p role="alert" className="text-sm text-slate-700">
        {explanation} Go back to the application and try again, or tell its developer what is shown below.
      </p>
      {code || description ? (
        <dl className="space-y-2 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm">
          <Detail term="Error" value={code} className="font-mono break-all text-slate-900" />
          <Detail term="Details" value={description} className="break-words text-slate-900" />
        </dl>
      ) : null}
      <Link href="/" className="inline-block text-sm font-medium text-brand-600 hover:underline">
        Go to your Gatehouse account
      </Link>
    </div>
  );
}

function Detail({ term, value, className }: { term: string; value: string | null; className: string }) {
  if (!value) return null;
  return (
    <div>
      <dt className="text-xs font-medium text-slate-500">{term}</dt>
      <dd className={className}>{value}</dd>
    </div>
  );
}
