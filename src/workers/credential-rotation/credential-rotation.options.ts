import { duration, int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Credential rotation worker', 'Options of the CredentialRotationWorker role')
export class CredentialRotationOptions {
  @Env('ROTATION_SCAN_INTERVAL', duration({ min: 1000 }), { default: 60_000, description: 'How often credentials due for rotation are looked for' })
  readonly scanIntervalMs: number;

  @Env('ROTATION_VERIFICATION_ATTEMPTS', int({ min: 1, max: 10 }), { default: 3, description: 'Verification runs tried with a new secret version before the rotation fails' })
  readonly verificationAttempts: number;
}
