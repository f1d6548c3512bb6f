import type { Provider, Type } from '@nestjs/common';

/** The ops dashboard at /admin. */
export const dashboardProviders: Provider[] = [];
export const dashboardControllers: Type[] = [];
