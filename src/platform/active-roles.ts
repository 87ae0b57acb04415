/** Names of the roles this process runs, and how they are labelled in logs and metrics. */
export class ActiveRoles {
  constructor(
    readonly names: readonly string[],
    readonly label: string,
  ) {}
}
