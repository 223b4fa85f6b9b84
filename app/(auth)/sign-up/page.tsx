import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getSession } from "@/server/auth/session";
import { getEnv } from "@/server/env";
import { SignUpForm } from "./_components/sign-up-form";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  if (await getSession()) redirect("/");
  const open = getEnv().signup === "open";
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Create an account</h1>
      {open ? (
        <SignUpForm />
      ) : (
        <p className="text-sm text-slate-600">Sign-up is closed on this server. Ask an administrator for an account.</p>
      )}
      <p className="text-sm text-slate-600">
        Already have an account?{" "}
        <Link href="/sign-in" className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}
