export { createApp } from "./app";
export { type Gateway, openServices, type StartGatewayOptions, startGateway } from "./gateway";
export { createLogger } from "./logger";
