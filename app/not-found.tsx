import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

/** Gatehouse's own 404: Next's default one styles itself inline, which the page CSP (nonce-only styles) refuses. */
export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm space-y-4 rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm">
        <h1 className="text-xl font-semibold">Page not found</h1>
        <p className="text-sm text-slate-600">There is nothing at this address. Check the link, or start again from the console.</p>
        <Link href="/" className="inline-block text-sm font-medium text-brand-600 hover:underline">
          Go to Gatehouse
        </Link>
      </div>
    </main>
  );
}
