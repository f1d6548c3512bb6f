import type { Provider, Type } from '@nestjs/common';
import { PlatformEventWriter } from './platform-event-writer';

/** Tongban → platform and resident: webhooks and notices. */
export const notificationProviders: Provider[] = [PlatformEventWriter];
export const notificationControllers: Type[] = [];
