export { assertEgressAllowed, createEgressGuard } from "./policy";
