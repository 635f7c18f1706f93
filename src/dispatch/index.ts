// undici's Dispatcher contract for Pool and Agent (their dispatch() methods delegate here),
// and undici's diagnostics_channel names.
export { dispatch, type DispatchTarget } from "./dispatcher.js";
export type { DispatchOptions } from "./options.js";
export type { DispatchHandler } from "./handler.js";
export { DispatchController } from "./controller.js";
export { DiagnosticsRequest } from "./request-record.js";
export { traceConnect, type ConnectTrace } from "./diagnostics.js";
