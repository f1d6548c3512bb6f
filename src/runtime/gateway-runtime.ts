import type { Provider } from '@nestjs/common';
import type { PersonalDataCipher } from '../common/crypto/personal-data-cipher';
import type { GatewayEnvironment } from '../config/environment';
import type { TongbanConfig } from '../config/tongban-config';
import type { RegionTable } from '../regions/region-table';

/** Everything resolved before Nest starts: environment, validated config, servers and keys. */
export interface GatewayRuntime {
  env: GatewayEnvironment;
  config: TongbanConfig;
  databaseUrl: string;
  redisUrl: string;
  cipher: PersonalDataCipher;
  regions: RegionTable;
  /** More providers, e.g. custom adapter factories (`@Adapter('my-type')`) of a deployment. */
  extraProviders?: Provider[];
}
