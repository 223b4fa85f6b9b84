/** For the server pages: whether `me.permissions` holds a permission in some scope. */
export function holdsAnywhere(
  held: { global: readonly string[]; byDomain: Record<string, readonly string[]> },
  permission: string,
): boolean {
  return held.global.includes(permission) || Object.values(held.byDomain).some((list) => list.includes(permission));
}
