import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { safeReturnPath } from "@/app/_lib/return-path";
import { getSession } from "@/server/auth/session";
import { getEnv } from "@/server/env";
import { SignInForm } from "./_components/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const returnTo = safeReturnPath(next);
  if (await getSession()) redirect(returnTo);
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Sign in</h1>
      <SignInForm returnTo={returnTo} />
      {getEnv().signup === "open" ? (
        <p className="text-sm text-slate-600">
          No account yet?{" "}
          <Link href="/sign-up" className="font-medium text-brand-600 hover:underline">
            Create one
          </Link>
        </p>
      ) : null}
    </div>
  );
}
