import { DiscoveryService } from '@nestjs/core';

/**
 * Marks a provider as the AdapterFactory for a type name, e.g. `@Adapter('rest')`. The registry
 * finds every decorated provider at start-up; two factories for one type stop the start.
 */
export const Adapter = DiscoveryService.createDecorator<string>();
