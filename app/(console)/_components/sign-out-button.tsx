"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { authClient } from "@/app/_lib/auth-client";

/** Ends this browser's session and leaves for sign-in; `pending` while the request is under way. */
export function useSignOut() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  async function signOut() {
    setPending(true);
    await authClient.signOut();
    router.replace("/sign-in");
    router.refresh();
  }
  return { pending, signOut };
}

/** A plain sign-out button, for pages outside the console shell (MFA enrolment). */
export function SignOutButton() {
  const { pending, signOut } = useSignOut();
  return (
    <button
      type="button"
      disabled={pending}
      aria-busy={pending}
      onClick={() => void signOut()}
      className="text-sm font-medium text-slate-600 hover:text-slate-900 disabled:opacity-60"
    >
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
