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
  const usable = typeof token === "string" && token.length > 0 && (await setupTokenUsable(token));
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
      ) : (
        <p role="alert" className="text-sm text-slate-600">
          This setup link is invalid, used or expired. Restart Gatehouse to print a new one in the terminal.
        </p>
      )}
    </div>
  );
}
