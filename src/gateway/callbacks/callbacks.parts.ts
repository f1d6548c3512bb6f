import type { Provider, Type } from '@nestjs/common';

/** Department → Tongban status callbacks. */
export const callbackProviders: Provider[] = [];
export const callbackControllers: Type[] = [];
