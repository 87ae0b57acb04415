import { IntegrationError } from '../../../platform/resilience/failure-classifier';

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
}

/**
 * A nodemailer failure as the platform classifies it. A 4xx reply is the server asking to try later
 * (Transient); a 5xx reply refuses the message for good (Validation); a refused login is Auth; anything
 * that broke the connection is Transient. Messages carry the SMTP reply code and command, never the reply
 * text (it can echo addresses or credentials).
 */
export function smtpFailure(error: unknown): IntegrationError {
  if (error instanceof IntegrationError) return error;
  const failure = error as NodemailerError;
  const reply = typeof failure?.responseCode === 'number' ? failure.responseCode : undefined;
  const during = failure?.command ? ` to ${failure.command.split(' ')[0].slice(0, 16)}` : '';
  if (failure?.code === 'EAUTH') return IntegrationError.auth('smtp_auth_refused', `The SMTP server refused the login${reply ? ` (${reply})` : ''}`, { cause: error });
  if (reply !== undefined && reply >= 400 && reply < 500) {
    return IntegrationError.transient('smtp_deferred', `The SMTP server answered ${reply}${during}: try again later`, { cause: error });
  }
  if (reply !== undefined && reply >= 500)
    return IntegrationError.validation('smtp_rejected', `The SMTP server answered ${reply}${during}: the message was refused`, { cause: error });
  if (failure?.code === 'EENVELOPE' || failure?.code === 'EMESSAGE')
    return IntegrationError.validation('smtp_invalid_message', 'The message could not be sent as given (envelope or content)', { cause: error });
  if (failure?.code === 'ETLS') return IntegrationError.transient('smtp_tls_failed', 'TLS with the SMTP server failed (certificate or protocol)', { cause: error });
  const cause = (failure as { cause?: unknown })?.cause;
  if (cause instanceof IntegrationError) return cause;
  // ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, EPROTOCOL: the connection broke; another try (or server) may work.
  const code = (failure?.code ?? 'exchange_failed')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  return IntegrationError.transient(`smtp_${code}`, `The SMTP exchange failed: ${code}`, { cause: error });
}
