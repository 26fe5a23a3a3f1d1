import { z } from 'zod';
import { emailSchema } from '../field-rules';
import { idSchema, timestampSchema } from './fields';

/** A user account was created. */
export const USER_REGISTERED_V1 = 'user.registered.v1';

export const userRegisteredV1Schema = z.object({
  userId: idSchema,
  // The registration rule itself: the edge and the user service accept exactly these addresses.
  email: emailSchema,
  name: z.string().min(1),
  role: z.enum(['CUSTOMER', 'ADMIN']),
  registeredAt: timestampSchema,
});

export type UserRegisteredV1 = z.infer<typeof userRegisteredV1Schema>;
