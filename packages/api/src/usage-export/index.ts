export * from "./encode";
export * from "./export-input";
export * from "./export-service";
export * from "./openapi-path";
