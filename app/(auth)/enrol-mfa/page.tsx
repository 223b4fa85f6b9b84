import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeReturnPath } from "@/server/shared/return-path";
import { PasskeySettings } from "@/app/(console)/account/_components/passkey-settings";
import { TwoFactorSettings } from "@/app/(console)/account/_components/two-factor-settings";
import { requireSession } from "@/server/auth/session";
import { mfaRequirementOf, requiredByPhrase } from "@/server/pages";
import { EnrolmentContinue } from "./_components/enrolment-continue";
import { SignOutButton } from "@/app/(console)/_components/sign-out-button";
import { StepUpDialog } from "@/app/(console)/_components/step-up-dialog";
import { Toaster } from "@/app/(console)/_components/toaster";

export const metadata: Metadata = { title: "Set up a second factor", referrer: "no-referrer" };

/**
 * Where sign-in lands a user whose role or domain requires a second factor they do not have yet.
 * Nothing else in the console works for them until one is enrolled.
 */
export default async function EnrolMfaPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeReturnPath(typeof params.next === "string" ? params.next : undefined);
  const { user } = await requireSession();
  const requirement = await mfaRequirementOf(user.id);
  if (!requirement.required || requirement.status.enrolled) redirect(next);
  const phrase = requiredByPhrase(requirement);
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Set up a second factor</h1>
      <p className="text-sm text-slate-600">
        {phrase.charAt(0).toUpperCase() + phrase.slice(1)}. Before you continue, set up an authenticator app or add a
        passkey to {user.email}.
      </p>
      <TwoFactorSettings />
      <PasskeySettings />
      <EnrolmentContinue next={next} />
      <SignOutButton />
      {/* Adding a factor more than 10 minutes after signing in asks for the password again. */}
      <StepUpDialog />
      {/* The factor settings tell their results in toasts, as they do in the console. */}
      <Toaster />
    </div>
  );
}
