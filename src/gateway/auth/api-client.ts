import type { ApiScope } from '../../config/model/api-key-config';

/** The authenticated caller of a request, resolved from its API key. */
export interface ApiClient {
  name: string;
  source: string;
  scopes: ReadonlySet<ApiScope>;
}
