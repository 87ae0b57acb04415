import type { Type } from '@nestjs/common';

/**
 * Names a controller class made by a factory per mount (`AcmeOperationsController`): Nest names routes
 * and logs by class name, so each mount needs its own.
 */
export function nameController(controller: Type<unknown>, prefix: string, suffix: string): void {
  Object.defineProperty(controller, 'name', { value: `${pascalCase(prefix)}${suffix}` });
}

function pascalCase(prefix: string): string {
  return prefix
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
