import { ClearchainError } from "../shared/errors.ts";

/** Stable codes of {@link AutomationError}. */
export const AUTOMATION_ERROR_CODES = [
  /** The service's key lacks a role it needs on the escrow (checked at start-up, before anything is sent). */
  "AUTOMATION_MISSING_ROLE",
  /** `--participant` names no participant of the deployment. */
  "AUTOMATION_UNKNOWN_PARTICIPANT",
  /** A configured account is not owned on chain by the participant (or its customer is not the beneficiary). */
  "AUTOMATION_NOT_ACCOUNT_OWNER",
  /** A call, or a request, for an account the agent does not manage. */
  "AUTOMATION_UNMANAGED_ACCOUNT",
  /** Another process holds one of the service's keys (one process per key). */
  "AUTOMATION_KEY_IN_USE",
  /** Positions name an account the deployment does not have. */
  "AUTOMATION_UNKNOWN_ACCOUNT",
  /** The collateral configuration or a cycle request is malformed. */
  "AUTOMATION_BAD_INPUT",
  /** A cycle's market data or positions are missing (a date not in market.csv, a missing positions file). */
  "AUTOMATION_NO_MARKET_DATA",
  /** A cycle request older than a cycle already run (requirements may only move forward). */
  "AUTOMATION_STALE_REQUEST",
  /**
   * `ccp ccp-service --once`: a cycle request was refused (with one of the codes above) and moved to `rejected/`; the
   * other requests ran. A long-running service logs the refusal and carries on.
   */
  "AUTOMATION_REQUEST_REJECTED",
] as const;

export type AutomationErrorCode = (typeof AUTOMATION_ERROR_CODES)[number];

/**
 * Why the margin-call automation (the CCP service, a participant's agent) refuses to start or to go on. Thrown before
 * anything is sent on chain; `details` carries the facts (the role, the account, the file…).
 *
 * @example
 *   if (error instanceof AutomationError && error.code === "AUTOMATION_MISSING_ROLE") error.details.roles;
 */
export class AutomationError extends ClearchainError<AutomationErrorCode> {
  override name = "AutomationError";
}
