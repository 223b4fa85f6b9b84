import type { Authority } from "@/server/authz/authority";
import type { ConsolePage, Meta } from "./init";
import { permissionsLacking } from "./procedures";

/** What the page list reads of a procedure: its meta. */
export interface DeclaringProcedure {
  _def: { meta?: Meta };
}

/** The console's home: everyone's, and backed by no one query. */
export const HOME_PAGE: ConsolePage = { href: "/", label: "Overview" };

/**
 * The console pages a caller may open: the home page, then every page a query declares
 * (`meta.page`) whose access check lets them through, in the order of the app router. The check is
 * the one the procedure runs, so a page is listed exactly when its query would answer.
 */
export function consolePagesOpenTo(authority: Authority, procedures: Record<string, DeclaringProcedure>): ConsolePage[] {
  const pages = [HOME_PAGE];
  for (const { _def } of Object.values(procedures)) {
    const { page, access } = _def.meta ?? {};
    if (!page || !access) continue;
    if (access.kind === "permissions" && permissionsLacking(authority, access.permissions).length > 0) continue;
    pages.push(page);
  }
  return pages;
}
