"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/app/_lib/trpc/client";

/**
 * Polls until a factor is enrolled, then offers the way on; the settings above show the backup codes
 * first. It sticks to the bottom of the screen, so on a phone the way on is in view below the codes.
 */
export function EnrolmentContinue({ next }: { next: string }) {
  const trpc = useTRPC();
  const requirement = useQuery({
    ...trpc.account.mfaRequirement.queryOptions(),
    refetchInterval: (query) => (query.state.data?.status.enrolled ? false : 2000),
  });
  if (!requirement.data?.status.enrolled) return null;
  return (
    <div className="sticky bottom-3 z-10 rounded-md border border-green-200 bg-green-50 p-3 text-sm text-green-800 shadow-md">
      <p>Your second factor is set up. Keep your backup codes somewhere safe.</p>
      {next.startsWith("/api/") ? (
        // An authorization request to resume (see the MFA gate): a route handler, which the client router cannot render.
        <a href={next} className="mt-2 inline-block font-medium text-brand-600 hover:underline">
          Continue to the application
        </a>
      ) : (
        <Link href={next} className="mt-2 inline-block font-medium text-brand-600 hover:underline">
          Continue to Gatehouse
        </Link>
      )}
    </div>
  );
}
