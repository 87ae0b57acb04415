import { BadRequestException } from '@nestjs/common';
import { IntegrationError } from '../resilience/failure-classifier';

/** A URL the caller gave that the egress policy refuses is the caller's mistake: a 400 with the policy's reason. */
export async function refusedUrlAsBadRequest<T>(check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof IntegrationError && error.category === 'Validation') throw new BadRequestException(error.message);
    throw error;
  }
}
