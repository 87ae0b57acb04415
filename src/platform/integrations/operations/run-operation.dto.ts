import { IsBoolean, IsDefined, IsString, Length } from 'class-validator';
import { OptionalField } from '../../http/optional-field';

export class RunOperationDto {
  /** Checked against the operation's input schema (a 400 names the path of what is wrong). */
  @IsDefined({ message: 'input is required (an object matching the operation’s input schema)' })
  input: unknown;

  @OptionalField()
  @IsString()
  @Length(1, 200)
  idempotencyKey?: string;

  /** 202 with the Pending run, executed from the bus and retried by policy, instead of the output now. */
  @OptionalField()
  @IsBoolean()
  async?: boolean;
}
