import type { Provider } from '@nestjs/common';
import { FileDropAdapterFactory } from './file-drop/file-drop.adapter';
import { PullAdapterFactory } from './pull/pull.adapter';
import { PullOfferStore } from './pull/pull-offer-store';
import { RestAdapterFactory } from './rest/rest.adapter';
import { SoapAdapterFactory } from './soap/soap.adapter';

/** The adapter factories every deployment has; custom ones are added through GatewayRuntime.extraProviders. */
export const BUILT_IN_ADAPTERS: Provider[] = [
  RestAdapterFactory,
  SoapAdapterFactory,
  FileDropAdapterFactory,
  PullAdapterFactory,
  PullOfferStore,
];
