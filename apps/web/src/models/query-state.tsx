/** Loading, the envelope's error (message, request id, retry), or the data. */
export { QueryView as QueryState } from "../shared/states";
