import { duration, int } from '../config/codecs';
import { Env, OptionsSection } from '../config/options';

@OptionsSection('Messages', 'Email and SMS records shared by both channels')
export class MessagesOptions {
  @Env('MESSAGE_MAX_ATTEMPTS', int({ min: 1, max: 100 }), {
    default: 6,
    description: 'Send attempts of one message (each tries every connection of its route) before it is Failed; capped by the bus delivery count',
  })
  readonly maxAttempts: number;

  @Env('MESSAGE_BUDGET_WAIT', duration({ min: 0, max: 300_000 }), {
    default: 10_000,
    description: "How long one send may wait for its connection's rate budget (SMS providers' sends per second) before the message is retried later instead",
  })
  readonly budgetWaitMs: number;
}
