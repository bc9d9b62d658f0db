export * from "./catalog";
export * from "./egress";
export * from "./pricing";
export * from "./provider-ids";
export * from "./providers";
export * from "./usage";
