import type { Metadata } from "next";
import Link from "next/link";
import { requireSession } from "@/server/auth/session";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const { user } = await requireSession();
  return (
    <div className="max-w-2xl space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Welcome, {user.name}</h1>
      <p className="text-slate-600">
        Gatehouse manages who can reach your MCP servers: users, roles, domains, OAuth clients and the tokens they
        hold. Your own profile is under{" "}
        <Link href="/account" className="font-medium text-brand-600 hover:underline">
          Account
        </Link>
        .
      </p>
    </div>
  );
}
