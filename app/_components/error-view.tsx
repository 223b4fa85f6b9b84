"use client";

import Link from "next/link";
import { Brand } from "./brand";

/** The digest Next gives a server error, so the reader can quote it and an operator can find it in the log. */
function digestOf(error: unknown): string | undefined {
  return error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : undefined;
}

/**
 * What a page that failed shows: a plain apology, a retry, and the way home. The error's own message
 * stays in the server log (production sends only its digest), so nothing internal leaks here.
 */
export function ErrorView({ error, retry, framed = true }: { error: unknown; retry: () => void; framed?: boolean }) {
  const digest = digestOf(error);
  const body = (
    <div role="alert" className="w-full max-w-md space-y-4 rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm">
      <h1 className="text-xl font-semibold">Something went wrong</h1>
      <p className="text-sm text-slate-600">
        This page could not be shown. Try again; if it keeps failing, tell your administrator
        {digest ? (
          <>
            {" "}
            and quote the reference <code className="font-mono text-slate-900">{digest}</code>
          </>
        ) : null}
        .
      </p>
      <div className="flex flex-wrap items-center justify-center gap-3">
        <button
          type="button"
          onClick={retry}
          className="rounded-md bg-primary px-3 py-1.5 text-sm font-medium text-on-fill shadow-sm hover:bg-primary-hover focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
        >
          Try again
        </button>
        <Link href="/" className="text-sm font-medium text-brand-600 hover:underline">
          Go to Gatehouse
        </Link>
      </div>
    </div>
  );
  if (!framed) return <div className="flex justify-center py-12">{body}</div>;
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-6 px-4 py-12">
      <Brand />
      {body}
    </main>
  );
}
