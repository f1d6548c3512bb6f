export * from './rest.adapter';
export * from './rest-adapter.options';
export * from './rest-auth.options';
export * from './rest-department-adapter';
export * from './rest-outcome';
export * from './rest-errors';
export { hmacHeaders, stringToSign } from './hmac-signer';
