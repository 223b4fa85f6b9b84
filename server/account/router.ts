import { router } from "@/server/trpc/init";
import { canFlagsOfArray, enrolmentProcedure, protectedProcedure } from "@/server/trpc/procedures";
import { reauthenticate, revokeApp, revokeOtherSessions, revokeOwnSession } from "./commands";
import { reauthenticateInput, revokeAppInput, revokeOwnSessionInput } from "./inputs";
import { connectedApps, ownPasskeys, sessionsOf, twoFactorStatus } from "./queries";

type OwnSession = Awaited<ReturnType<typeof sessionsOf>>[number];
type ConnectedApp = Awaited<ReturnType<typeof connectedApps>>[number];

/** The signed-in person's own account: second factors, sessions and connected applications (personal scope, no role). */
export const accountRouter = router({
  twoFactor: enrolmentProcedure
    .meta({
      description: "Whether the signed-in user's authenticator app is switched on, and how many unused backup codes remain.",
      can: false,
    })
    .query(({ ctx }) => twoFactorStatus(ctx.db, ctx.auth, ctx.user.id)),

  // Open before enrolment: a passkey is one of the second factors a user who must enrol can add.
  passkeys: enrolmentProcedure
    .meta({ description: "The signed-in user's own passkeys: name, when each was added and when it last signed them in.", can: false })
    .query(({ ctx }) => ownPasskeys(ctx.db, ctx.user.id)),

  sessions: protectedProcedure
    .meta({
      page: { href: "/account", label: "Account" },
      description: "The signed-in user's own browser sessions, with device, IP address and last-seen time.",
      can: canFlagsOfArray<OwnSession>({
        revoke: { procedure: "account.revokeSession", input: (row) => ({ sessionId: row.id }) },
      }),
    })
    .query(({ ctx }) => sessionsOf(ctx.db, ctx.user.id, ctx.session.id)),

  revokeSession: protectedProcedure
    .meta({ description: "Signs one of the user's own browser sessions out at once.", stepUp: false })
    .input(revokeOwnSessionInput)
    .mutation(({ ctx, input }) => revokeOwnSession(ctx, input)),

  revokeOtherSessions: protectedProcedure
    .meta({ description: "Signs the user out everywhere except this browser.", stepUp: false })
    .mutation(({ ctx }) => revokeOtherSessions(ctx)),

  connectedApps: protectedProcedure
    .meta({
      description: "The applications the user has let act for them, with the scopes granted and when each last got a token.",
      can: canFlagsOfArray<ConnectedApp>({
        revoke: { procedure: "account.revokeApp", input: (row) => ({ clientId: row.clientId }) },
      }),
    })
    .query(({ ctx }) => connectedApps(ctx.db, ctx.user.id)),

  revokeApp: protectedProcedure
    .meta({
      description: "Disconnects an application: forgets the consent and revokes its tokens for this user at once.",
      stepUp: false,
    })
    .input(revokeAppInput)
    .mutation(({ ctx, input }) => revokeApp(ctx, input)),

  mfaRequirement: enrolmentProcedure
    .meta({
      description:
        "Whether a role or domain of the signed-in user requires a second factor (and which), and which factors they have.",
      can: false,
    })
    .query(({ ctx }) => ctx.mfaRequirement(ctx.user.id)),

  // Open before enrolment: a user who must enrol a second factor may need a recent sign-in to add one.
  reauthenticate: enrolmentProcedure
    .meta({
      description:
        "Confirms the signed-in user again with their password, an authenticator code or a backup code, so that actions needing a recent sign-in work for the next 10 minutes.",
      stepUp: false,
    })
    .input(reauthenticateInput)
    .mutation(({ ctx, input }) => reauthenticate(ctx, input)),
});
