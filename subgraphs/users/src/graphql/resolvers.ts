import { currentUser, findVisibleUser } from '../domain/find-users';
import { signIn } from '../domain/sign-in';
import { signUp } from '../domain/sign-up';
import { asReference, visibleEmail } from '../domain/user-view';
import type { Resolvers } from './__generated__/resolvers-types';

export const resolvers: Resolvers = {
  Query: {
    me: (_, __, { identity, loaders }) => currentUser(loaders.user, identity),
    user: (_, { id }, { identity, loaders }) => findVisibleUser(loaders.user, identity, id),
  },
  Mutation: {
    signUp: (_, { input }, { em, tokens, origin }) => signUp({ em, tokens }, input, origin),
    signIn: (_, credentials, { em, tokens, signInThrottle, clientAddress }) =>
      signIn({ em, tokens, throttle: signInThrottle }, credentials, clientAddress),
  },
  User: {
    __resolveReference: async ({ id }, { loaders }) => asReference(await loaders.user.load(id)),
    email: (user, _, { identity }) => visibleEmail(user, identity),
  },
};
