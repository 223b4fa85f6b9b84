import { definePrompt, userMessage } from "../prompt";
import { roleResource } from "../resources/role";
import { userResource } from "../resources/user";
import { getUser } from "../tools/get-user";
import { listDomains } from "../tools/list-domains";
import { listRoles } from "../tools/list-roles";
import { listUsers } from "../tools/list-users";

export const reviewAdminAccess = definePrompt({
  name: "review_admin_access",
  title: "Review who holds admin rights",
  description:
    "Has the model list who holds roles with an administrative (:admin) permission, globally and per domain, check each holder's MFA and account state, and report what looks wrong, without changing anything.",
  tools: [listRoles, listUsers, getUser, listDomains],
  resources: [roleResource, userResource],
  arguments: {},
  async render(_args, { caller }) {
    const roles = await caller.roles.list();
    const adminRoles = roles.filter((role) => role.permissions.some((permission) => permission.endsWith(":admin")));
    const roleLines = adminRoles.map(
      (role) =>
        `- ${role.name} (id ${role.id}, ${role.builtIn ? "built-in" : "custom"}): ${role.permissions.filter((permission) => permission.endsWith(":admin")).join(", ")}; ${role.assignmentCount} assignment${role.assignmentCount === 1 ? "" : "s"} you can see`,
    );
    const text = [
      "Review who holds administrative rights in Gatehouse and report anything that looks wrong. Only read: do not assign, remove or revoke anything; recommend changes for a person to make.",
      "",
      adminRoles.length > 0
        ? "These roles grant at least one administrative (:admin) permission right now:"
        : "No role grants an administrative (:admin) permission right now; confirm with list_roles and report that.",
      ...roleLines,
      "",
      "For each of these roles:",
      "1. Read the resource gatehouse://roles/{roleId} to see who holds it and where: a null domainId means the role is held globally, in every domain. When assignmentCount is larger than the assignments listed, call list_users with that roleId and follow nextCursor.",
      "2. For each holder, read gatehouse://users/{userId} (or call get_user) for their MFA, ban and invitation state.",
      "3. Call list_domains to put names on the domains.",
      "",
      "Then report:",
      "- a table of role, holder (email), where (global, or the domain's name) and whether MFA is enrolled, with global grants first since they reach every domain;",
      "- holders without MFA, banned users who still hold an administrative role, and invitations to administrative roles that were never accepted;",
      "- people who hold administrative roles in many domains, and custom roles whose permissions go beyond what their name or description suggests.",
      "",
      "You see assignments only in the scopes your own roles let you read; say so in the report if that limits it.",
    ].join("\n");
    return { description: "Review who holds administrative rights, globally and per domain.", messages: [userMessage(text)] };
  },
});
