import { SetMetadata } from '@nestjs/common';
import type { ApiScope } from '../../config/model/api-key-config';

export const REQUIRED_SCOPES = 'tongban:required-scopes';
export const PUBLIC_ROUTE = 'tongban:public';

/** The caller needs at least one of these scopes (`admin` passes every check). */
export const RequireScopes = (...scopes: ApiScope[]) => SetMetadata(REQUIRED_SCOPES, scopes);

/** No API key needed (health probes). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
