/** Accounts the specs share: the foundation journey creates them, later specs sign in with them. */
export const OWNER = { name: "E2E Owner", email: "owner@e2e.example.com", password: "e2e-owner-passphrase-42" };
export const MEMBER = { name: "E2E Member", email: "member@e2e.example.com", password: "e2e-member-passphrase-77" };
