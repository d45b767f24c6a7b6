/** Types of bin/build.mjs (the compiled CLI's build and its freshness check). */
export declare const ROOT: string;
export declare const OUT: string;
export declare class BuildError extends Error {
  code: string;
}
/** The entry module of the current build when every source it was made from is unchanged; else null. */
export declare function freshBuild(out?: string): string | null;
/** Builds dist/cli; null when another process is building right now. */
export declare function build(opts?: { log?: (message: string) => void; out?: string }): Promise<string | null>;
