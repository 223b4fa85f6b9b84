export * from "./audit";
export * from "./auth";
export * from "./authz";
export * from "./setup";
export * from "./oauth";
export * from "./email";
export * from "./mfa";
