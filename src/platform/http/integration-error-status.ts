import { HttpStatus } from '@nestjs/common';
import type { IntegrationError } from '../resilience/failure-classifier';

const BY_CODE: Readonly<Record<string, number>> = {
  connection_not_found: HttpStatus.NOT_FOUND,
  provider_not_found: HttpStatus.CONFLICT,
  connection_retired: HttpStatus.CONFLICT,
  connection_not_active: HttpStatus.CONFLICT,
  connection_inbound_only: HttpStatus.CONFLICT,
  auth_mode_unknown: HttpStatus.CONFLICT,
  credential_missing: HttpStatus.CONFLICT,
  credential_disabled: HttpStatus.CONFLICT,
  token_url_missing: HttpStatus.CONFLICT,
  base_url_missing: HttpStatus.CONFLICT,
  base_url_invalid: HttpStatus.CONFLICT,
  test_unconfigured: HttpStatus.CONFLICT,
  idempotency_key_used: HttpStatus.CONFLICT,
  model_route_exists: HttpStatus.CONFLICT,
  tool_not_found: HttpStatus.NOT_FOUND,
  tool_not_allowed: HttpStatus.FORBIDDEN,
  not_an_mcp_connection: HttpStatus.CONFLICT,
  result_too_large: HttpStatus.BAD_GATEWAY,
  body_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  // An operation's call the vendor refused for the caller's reasons: its status stands.
  vendor_not_found: HttpStatus.NOT_FOUND,
  vendor_conflict: HttpStatus.CONFLICT,
  vendor_unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  vendor_payment_required: HttpStatus.PAYMENT_REQUIRED,
  egress_refused: HttpStatus.UNPROCESSABLE_ENTITY,
  circuit_open: HttpStatus.SERVICE_UNAVAILABLE,
  timeout: HttpStatus.GATEWAY_TIMEOUT,
  connect_timeout: HttpStatus.GATEWAY_TIMEOUT,
  headers_timeout: HttpStatus.GATEWAY_TIMEOUT,
  body_timeout: HttpStatus.GATEWAY_TIMEOUT,
};

/**
 * The HTTP answer to an IntegrationError that reached a controller: the caller's own mistakes are 4xx
 * (400 for a bad request, 404/409 for the connection's state, 429 for a spent budget), a vendor that
 * failed or could not be reached is 502/503/504, never a bare 500.
 */
export function integrationErrorStatus(error: IntegrationError): number {
  const byCode = BY_CODE[error.code];
  if (byCode) return byCode;
  switch (error.category) {
    case 'Validation':
      return HttpStatus.BAD_REQUEST;
    case 'RateLimited':
      return HttpStatus.TOO_MANY_REQUESTS;
    default:
      return HttpStatus.BAD_GATEWAY;
  }
}
