// mint-http/pool: Pool (one origin) and Agent (one Pool per origin) over the public
// connect()/Connection API.
export { Pool } from "./pool.js";
export { Agent } from "./agent.js";
export { PoolResponse } from "./receiver.js";
export { NO_CONTROL, type ResponseReceiver, type RequestControl } from "./receiver.js";
export type { ResponseBody } from "./response-body.js";
export type { PoolOptions, AgentOptions, RequestOptions, RequestBody } from "./options.js";
export type { PoolStats } from "./stats.js";
export type { Upgraded } from "./upgrade.js";
export type { PoolOrigin } from "./origin.js";
export { mayRetry, type RetryFacts } from "./retry.js";
