import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ownerAlreadyExists, setupTokenUsable } from "@/server/pages";
import { SetupForm } from "./_components/setup-form";

export const metadata: Metadata = { title: "Set up Gatehouse", robots: { index: false } };

export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  // Reading the request first keeps this page out of the build's prerender: the owner check must
  // ask the database the server runs with, not whichever one `next build` happened to see.
  const { token } = await searchParams;
  if (await ownerAlreadyExists()) notFound();
  const given = typeof token === "string" && token.length > 0;
  const usable = given && (await setupTokenUsable(token));
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Create the owner account</h1>
      {usable ? (
        <>
          <p className="text-sm text-slate-600">
            The owner can do everything in this installation. This link works once.
          </p>
          <SetupForm token={token} />
        </>
      ) : given ? (
        <p role="alert" className="text-sm text-slate-600">
          This setup link is invalid, used or expired. Restart Gatehouse to print a new one in the terminal.
        </p>
      ) : (
        // Reached from sign-in, sign-up or the console of a fresh instance: the link carries a secret only the server log has.
        <div className="space-y-3 text-sm text-slate-600">
          <p>Gatehouse has no owner yet, so nobody can sign in or sign up. The first account is created through a setup link.</p>
          <p>
            When Gatehouse started, it printed the link in its terminal or log, on the line that begins with{" "}
            <code className="font-mono text-slate-900">Setup link:</code>. Open that link in this browser. It works once and expires after
            an hour; restart Gatehouse to print a new one.
          </p>
          <p>
            To create the owner without a browser instead, start Gatehouse with{" "}
            <code className="font-mono text-slate-900">GATEHOUSE_ADMIN_EMAIL</code> and{" "}
            <code className="font-mono text-slate-900">GATEHOUSE_ADMIN_PASSWORD</code> set.
          </p>
        </div>
      )}
    </div>
  );
}
