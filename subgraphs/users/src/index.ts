export { build } from './build';
export { readUsersConfig, type UsersConfig } from './config';
export { migrations } from './db/migrations';
export { ensureAdmin, type AdminInput } from './domain/ensure-admin';
export { User, type UserRow } from './domain/user';
export { jwksPath } from './auth/jwks-route';
