export * from "./breaker";
export * from "./breaker-memory";
export * from "./breaker-redis";
export type { BreakerRecord, BreakerSettings, BreakerStore } from "./breaker-store";
export * from "./outcome";
export * from "./pick";
