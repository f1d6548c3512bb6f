import type { Provider, Type } from '@nestjs/common';

/** Deadlines, statistics and the audit of personal-data reads. */
export const insightProviders: Provider[] = [];
export const insightControllers: Type[] = [];
