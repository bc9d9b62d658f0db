/** What the global setup hands to every test file (vitest provide/inject). */
declare module "vitest" {
  export interface ProvidedContext {
    /** Admin connection string of the test PostgreSQL server, null when none answers. */
    pgUrl: string | null;
    redisUrl: string | null;
    /** Path of a migrated PGlite data-dir dump that test files start from. */
    pgliteTemplate: string;
  }
}

export {};
