export * from "./audit";
export * from "./auth";
export * from "./authz";
export * from "./setup";
export * from "./oauth";
