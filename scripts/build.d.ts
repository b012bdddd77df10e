/** Why dist/ needs a build, or null when it is current. */
export function staleness(): string | null;
/** Builds dist/; rejects with tsc's report when the sources do not compile. */
export function build(options?: { log?: (line: string) => void }): Promise<void>;
/** Builds when dist/ is missing or older than the sources; resolves to whether it built. */
export function buildIfStale(): Promise<boolean>;
