import type { Metadata } from "next";
import Link from "next/link";
import { Brand } from "./_components/brand";

export const metadata: Metadata = { title: "Not found" };

/** Gatehouse's own 404: Next's default one styles itself inline, which the page CSP (nonce-only styles) refuses. */
export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-6 px-4 py-12">
      <Brand />
      <div className="w-full max-w-md space-y-4 rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm">
        <p className="text-sm font-semibold text-brand-600">404</p>
        <h1 className="text-xl font-semibold">Page not found</h1>
        <p className="text-sm text-slate-600">There is nothing at this address. Check the link, or start again from the console.</p>
        <Link
          href="/"
          className="inline-block rounded-md bg-primary px-3 py-1.5 text-sm font-medium text-on-fill shadow-sm hover:bg-primary-hover focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
        >
          Go to Gatehouse
        </Link>
      </div>
    </main>
  );
}
