export const NEXT_BIN: string;
export function runForwardingSignals(command: string, args: string[], env: NodeJS.ProcessEnv, onMessage?: (message: unknown) => void): Promise<number>;
