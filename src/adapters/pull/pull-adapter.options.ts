import { IsInt, Max, Min } from 'class-validator';

export class PullAdapterOptions {
  /** How long a fetched delivery stays leased to the department before it is offered again. */
  @IsInt() @Min(5) @Max(86_400) leaseSeconds: number = 300;
}
