export { type AddressFamily, deniedAddressReason, parseIp } from "./address";
export { type AllowEntry, type AllowList, normalizeHost, parseAllowList } from "./allow-list";
export {
  EgressDeniedError,
  EgressGuard,
  type EgressGuardOptions,
  egressAllowErrors,
  type NameResolver,
} from "./guard";
