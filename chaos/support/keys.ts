/** The example configuration's demo keys (config/api-keys.yaml). */
export const PLATFORM_KEY = 'tb-demo-platform-key';
export const ADMIN_KEY = 'tb-demo-admin-key';
