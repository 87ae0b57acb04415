import { duration, int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Credential rotation worker', 'Options of the CredentialRotationWorker role')
export class CredentialRotationOptions {
  @Env('ROTATION_SCAN_INTERVAL', duration({ min: 100 }), { default: 60_000, description: 'How often credentials due for rotation are looked for' })
  readonly scanIntervalMs: number;

  @Env('ROTATION_VERIFICATION_ATTEMPTS', int({ min: 1, max: 10 }), { default: 3, description: 'Verification runs tried with a new secret version before the rotation fails' })
  readonly verificationAttempts: number;

  @Env('ROTATION_VERIFICATION_BACKOFF', duration({ min: 0, max: 600_000 }), { default: 2_000, description: 'Wait before the second verification try (doubling after)' })
  readonly verificationBackoffMs: number;

  @Env('ROTATION_VERIFICATION_TIMEOUT', duration({ min: 100 }), { default: 10_000, description: 'Timeout of one verification call' })
  readonly verificationTimeoutMs: number;
}
