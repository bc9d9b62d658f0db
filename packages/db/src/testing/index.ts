export * from "./probe";
export * from "./test-database";
