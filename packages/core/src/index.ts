export * from "./provider-ids";
export * from "./usage";
