import type { BlockList } from "node:net";

export function normaliseAddress(address: string | undefined | null): string;
export function parseTrustedProxies(value?: string): BlockList;
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: BlockList): string;
export function installClientAddressRewrite(trustedValue?: string): void;
